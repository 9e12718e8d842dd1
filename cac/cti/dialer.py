"""Click to call: the agent's phone dials a number through the dealer's phone system.

`Dialer` is the interface; `HttpDialer` posts to the PBX's originate URL (`CTI_DIALER_URL`) the agent's extension,
the number and the line to call from, as form fields (`from`, `to`, `line`, `dealer`); with no URL configured there
is no dialer and the pages show no call button. The call's events then come back through the line's CTI endpoint."""

from dataclasses import dataclass
from typing import Protocol

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from cac.desk.phones import normalize_phone
from cac.desk.selectors import dealer_ids
from cac.models import CtiLine, Dealer, User


class DialError(Exception):
    """The phone system refused or did not answer."""


@dataclass(frozen=True)
class Originate:
    agent: str  # the agent's extension (or username when none is set)
    number: str
    line: str
    dealer: str


class Dialer(Protocol):
    def originate(self, request: Originate) -> None: ...


class HttpDialer:
    def __init__(self, url: str, timeout: float):
        self.url, self.timeout = url, timeout

    def originate(self, request: Originate) -> None:
        fields = {"from": request.agent, "to": request.number, "line": request.line, "dealer": request.dealer}
        try:
            response = requests.post(self.url, data=fields, timeout=self.timeout)
        except requests.RequestException as exc:
            raise DialError(str(exc)) from exc
        if not 200 <= response.status_code < 300:
            raise DialError(f"HTTP {response.status_code}")


def dialer() -> Dialer | None:
    url = settings.CTI_DIALER_URL
    return HttpDialer(url, settings.CTI_DIALER_TIMEOUT) if url else None


def dialer_enabled() -> bool:
    return bool(settings.CTI_DIALER_URL)


def cti_dial(*, acting_user: User, dealer: Dealer, phone: str) -> Originate:
    """Ask the dealer's phone system to ring the agent's extension and dial `phone` from the dealer's line."""
    if dealer.pk not in dealer_ids(user=acting_user):
        raise PermissionDenied(_("You do not work for this dealer."))
    number = normalize_phone(phone)
    the_dialer = dialer()
    line = CtiLine.objects.filter(dealer=dealer).order_by("pk").first()
    if the_dialer is None or line is None:
        raise ValidationError(_("No phone system is configured for click to call."))
    request = Originate(
        agent=acting_user.extension or acting_user.username, number=number, line=line.number, dealer=dealer.code
    )
    try:
        the_dialer.originate(request)
    except DialError as exc:
        raise ValidationError(_("The phone system did not place the call: %(error)s") % {"error": exc}) from exc
    return request
