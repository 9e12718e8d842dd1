"""API keys: made, checked and revoked here only.

A key reads `cac_<prefix>_<secret>`. The prefix finds the row; the whole key is compared with its SHA-256 in constant
time (the secret is 32 random bytes, so a fast hash is as safe as a slow one and costs nothing per request)."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiKey, Scope
from cac.models import Dealer, User

# What the key's account may do in the services, per scope.
SCOPE_PERMISSIONS = {
    Scope.CUSTOMERS_READ: ["cac.view_customer", "cac.view_vehicle", "complaints.view_complaint"],
    Scope.CALLS_WRITE: ["cac.add_calllog", "cac.view_customer"],
    Scope.COMPLAINTS_READ: ["complaints.view_complaint"],
    Scope.COMPLAINTS_WRITE: ["complaints.add_complaint", "cac.add_customer", "cac.add_vehicle"],
    Scope.PROSPECTS_WRITE: ["prospects.add_prospect"],
}
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _permissions(scopes: Iterable[str]) -> list[Permission]:
    names = {name for scope in scopes for name in SCOPE_PERMISSIONS[scope]}
    return [
        permission
        for permission in Permission.objects.select_related("content_type")
        if f"{permission.content_type.app_label}.{permission.codename}" in names
    ]


def _clean_scopes(scopes: Iterable[str]) -> list[str]:
    scopes = list(dict.fromkeys(scopes))
    unknown = [scope for scope in scopes if scope not in Scope.values]
    if unknown or not scopes:
        raise ValidationError({"scopes": _("Choose scopes among: %(scopes)s.") % {"scopes": ", ".join(Scope.values)}})
    return scopes


def api_key_sync_account(*, key: ApiKey) -> None:
    """Give the key's account exactly the key's dealers and the permissions of its scopes."""
    key.user.dealers.set(key.dealers.all())
    key.user.user_permissions.set(_permissions(key.scopes))
    key.user.is_active = key.revoked_at is None
    key.user.save(update_fields=["is_active"])


@transaction.atomic
def api_key_create(
    *, name: str, dealers: Iterable[Dealer], scopes: Iterable[str], acting_user: User | None
) -> tuple[ApiKey, str]:
    """Make a key for `dealers` with `scopes`. Returns the row and the key, which is shown this once only."""
    name = (name or "").strip()
    dealers = list(dealers)
    if not name:
        raise ValidationError({"name": _("Name the integration.")})
    if not dealers:
        raise ValidationError({"dealers": _("Give the key at least one dealer.")})
    scopes = _clean_scopes(scopes)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plain = f"cac_{prefix}_{secret}"
    user = User(username=f"api-{prefix}", first_name=name[:150], is_active=True)
    user.set_unusable_password()
    user.save()
    key = ApiKey.objects.create(
        name=name, scopes=scopes, prefix=prefix, key_hash=_hash(plain), user=user, created_by=acting_user
    )
    key.dealers.set(dealers)
    api_key_sync_account(key=key)
    return key, plain


@transaction.atomic
def api_key_revoke(*, key_id: int) -> ApiKey:
    key = ApiKey.objects.select_for_update().get(pk=key_id)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
        api_key_sync_account(key=key)
    return key


def api_key_check(plain: str) -> ApiKey | None:
    """The active key `plain` is, or None. The hash is compared even when no row has the prefix."""
    parts = (plain or "").split("_", 2)
    prefix = parts[1] if len(parts) == 3 and parts[0] == "cac" else ""
    key = ApiKey.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
    matches = hmac.compare_digest(_hash(plain or ""), key.key_hash if key else _DUMMY_HASH)
    if key is None or not matches or key.revoked_at is not None:
        return None
    return key


def api_key_touch(*, key: ApiKey) -> None:
    """Record the last use, at most once a minute per key (one UPDATE, no lock)."""
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() >= 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
