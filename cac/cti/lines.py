"""A line's token: made, checked and rotated here only.

The token is 32 random bytes, shown once (in the endpoint URL) and stored as its SHA-256: a fast hash is as safe as a
slow one for a random secret. The row is found by the hash and the hash compared in constant time."""

import hashlib
import hmac
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cac.desk.phones import phone_digits
from cac.models import CtiLine, Dealer
from cac.platform.site import absolute_reverse

_DUMMY_HASH = hashlib.sha256(b"no line").hexdigest()
MAX_TOKEN = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _hash(token)


def cti_endpoint_url(token: str) -> str:
    """The URL the PBX posts to, absolute when the site's address is configured."""
    return absolute_reverse("api:cti_event", kwargs={"token": token})


@transaction.atomic
def cti_line_create(*, dealer: Dealer, number: str, name: str = "", blocked_numbers: str = "") -> tuple[CtiLine, str]:
    """Make a line of `dealer`. Returns the row and its token, which is shown this once only."""
    number = phone_digits(number)
    if not number or len(number) > 20:
        raise ValidationError({"number": _("Enter the line's phone number.")})
    token, token_hash = _new_token()
    line = CtiLine(
        dealer=dealer,
        number=number,
        name=name[:120],
        blocked_numbers=blocked_numbers,
        token_hash=token_hash,
        token_rotated_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError as exc:
        raise ValidationError({"number": _("A line with this number already exists.")}) from exc
    return line, token


@transaction.atomic
def cti_line_rotate(*, line_id: int) -> tuple[CtiLine, str]:
    """Give the line a new token; the old one stops working at once."""
    line = CtiLine.objects.select_for_update().get(pk=line_id)
    token, line.token_hash = _new_token()
    line.token_rotated_at = timezone.now()
    line.save(update_fields=["token_hash", "token_rotated_at", "updated_at"])
    return line, token


def cti_line_check(token: str) -> CtiLine | None:
    """The line `token` belongs to, or None."""
    token = token or ""
    if len(token) > MAX_TOKEN:
        return None
    token_hash = _hash(token)
    line = CtiLine.objects.select_related("dealer").filter(token_hash=token_hash).first()
    if not hmac.compare_digest(token_hash, line.token_hash if line else _DUMMY_HASH) or line is None:
        return None
    return line


def cti_line_blocks(line: CtiLine, number: str) -> bool:
    """Whether `number` is on the line's block list (numbers compared in their national digits)."""
    digits = phone_digits(number)
    if not digits:
        return False
    return any(phone_digits(entry) == digits for entry in line.blocked_numbers.splitlines() if entry.strip())
