"""Personal information under the PIPL (个人信息保护法): who sees a whole phone number, and the access log.

Need-to-know: a role that calls customers holds `cac.view_full_phone` (cac/roles.py) and sees numbers whole; any
other role sees them masked, `138****8000`, on every page, and may reveal one number on the customer 360 by a
deliberate step, which is logged. `cac.security.masking.mask_phones` is the one masking rule: pages, notifications and the
request logs (cac/security/log_privacy.py) all call it.

The access log (`AccessLog`) has a row for each reveal by a masked role, each CSV or XLSX export, each report
download and each recording played: who, when, what, which record, which dealer, from which address and browser.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from cac.desk.phones import format_mobile
from cac.models import AccessLog
from cac.security.masking import mask_phones

__all__ = ["access_log_record", "client_address", "mask_phones", "phone_for", "sees_full_phones"]

FULL_PHONE_PERMISSION = "cac.view_full_phone"


def sees_full_phones(user) -> bool:
    """Whether the user's role calls customers (reads the permissions the page has read already)."""
    return bool(user is not None and user.is_authenticated and user.has_perm(FULL_PHONE_PERMISSION))


def phone_for(value, user) -> str:
    """A stored number (or a text that may hold numbers) as this user may see it: whole and spaced for the roles
    that call customers, masked for the others."""
    if value is None or value == "":
        return ""
    text = str(value)
    if sees_full_phones(user):
        return format_mobile(text)
    return mask_phones(text)


# --- The access log ------------------------------------------------------------------------------------------------


def client_address(request) -> str | None:
    """The address the request came from: the same rule as the login lockout's (`CAC_TRUSTED_PROXY_COUNT`)."""
    from cac.security.login_security import client_ip

    return client_ip(request).strip() or None


def access_log_record(
    *,
    request,
    action: AccessLog.Action,
    record: models.Model,
    dealer_ids: Iterable[int | None],
    reason: str = "",
) -> list[AccessLog]:
    """Write the access log for `request.user`: one row per dealer whose data is accessed (a report may cover
    several, and each dealer's administrators see their own rows). Called by the view before the data leaves."""
    record_type = ContentType.objects.get_for_model(record, for_concrete_model=True)
    row = {
        "user": request.user,
        "action": action,
        "record_type": record_type,
        "record_id": record.pk,
        "reason": (reason or "").strip()[:300],
        "ip_address": client_address(request),
        "user_agent": (request.META.get("HTTP_USER_AGENT") or "")[:300],
    }
    return AccessLog.objects.bulk_create([AccessLog(dealer_id=dealer_id, **row) for dealer_id in dealer_ids or [None]])
