"""One submit, one record: every create form carries a one-time token.

The token is signed when the form is rendered; it names the user and the form, and expires after
`SUBMIT_TOKEN_MAX_AGE` seconds. The first POST with it claims it (a `SubmitToken` row, unique by token) in the same
transaction as the record it creates, and remembers which record that was. A second POST with the same token — a
double click, a resent request, at the same moment or later — finds the claim and gets the first record back; on
PostgreSQL the unique index makes a concurrent second claim wait for the first transaction, so exactly one record
is written. A form without the field (a script, an old page) is processed as before; a token that is forged, of
another user, of another form or expired is refused with a form error, and the form comes back with a fresh one.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac.models import SubmitToken, User

FIELD = "once_token"


def _max_age() -> int:
    return settings.SUBMIT_TOKEN_MAX_AGE


def _salt(form_class: type) -> str:
    return f"cac.security.once:{form_class.__module__}.{form_class.__qualname__}"


def token_for(*, user: User, form_class: type) -> str:
    """A fresh signed token for `user` to submit one `form_class` form."""
    return signing.dumps({"u": user.pk, "n": secrets.token_urlsafe(24)}, salt=_salt(form_class), compress=False)


def token_nonce(*, token: str, user: User, form_class: type) -> str | None:
    """The token's key when it is valid for this user and form, else None."""
    try:
        payload = signing.loads(token, salt=_salt(form_class), max_age=_max_age())
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("u") != user.pk or not isinstance(payload.get("n"), str):
        return None
    return payload["n"]


class OnceFormMixin:
    """Adds the hidden one-time token to a create form. Pass `once_user=request.user`.

    Unbound, the form carries a fresh token. Bound, it checks the posted one; a refused token becomes a form error
    and is replaced by a fresh one in the re-rendered form, so that the user can simply submit again."""

    once_error = _("This form has expired or was opened by someone else. Check it and submit it again.")

    def __init__(self, *args: Any, once_user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.once_user = once_user
        self.once_nonce: str | None = None
        self._once_posted: str | None = None
        if once_user is None:
            return
        fresh = token_for(user=once_user, form_class=type(self))
        self.fields[FIELD] = forms.CharField(widget=forms.HiddenInput, required=False, initial=fresh)
        if self.is_bound:
            self._once_posted = self.data.get(self.add_prefix(FIELD)) or None
            if self._once_posted is None:
                # Bound without a token (a preview by GET, a script): the rendered form still carries one.
                self._set_token(fresh)

    def _set_token(self, token: str) -> None:
        self.data = self.data.copy()
        self.data[self.add_prefix(FIELD)] = token

    def full_clean(self) -> None:
        super().full_clean()
        if self.once_user is None or not self.is_bound:
            return
        self.cleaned_data.pop(FIELD, None)
        if self._once_posted is None:
            return
        self.once_nonce = token_nonce(token=str(self._once_posted), user=self.once_user, form_class=type(self))
        if self.once_nonce is None:
            self.add_error(None, self.once_error)
            self._set_token(token_for(user=self.once_user, form_class=type(self)))


@dataclass(frozen=True)
class Once:
    record: Any
    created: bool


def submit_once(form: OnceFormMixin, create: Callable[[], Any]) -> Once:
    """Run `create` (one service call) at most once per token of `form`, which must be valid.

    Returns what `create` returned and created=True; for a token already used, the record the first POST created
    (or None when it created no single record) and created=False. A ValidationError of `create` rolls the claim back
    with everything else, so that the corrected form can be sent again with the same token."""
    if form.once_nonce is None:
        return Once(record=create(), created=True)
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = SubmitToken.objects.create(token=form.once_nonce, user=form.once_user)
        except IntegrityError:
            claim = SubmitToken.objects.select_related("content_type").get(token=form.once_nonce)
            if claim.user_id != form.once_user.pk:
                raise
            return _repeated(claim)
        result = create()
        if isinstance(result, models.Model) and result.pk is not None:
            claim.content_type = ContentType.objects.get_for_model(result)
            claim.object_id = result.pk
            claim.save(update_fields=["content_type", "object_id"])
        return Once(record=result, created=True)


def already_submitted(form: OnceFormMixin) -> Once | None:
    """The first POST's outcome when the form's token was used already, for views that check more before creating
    (a warning the first POST answered must not stop its repetition)."""
    if form.once_nonce is None:
        return None
    claim = SubmitToken.objects.select_related("content_type").filter(token=form.once_nonce).first()
    if claim is None or claim.user_id != form.once_user.pk:
        return None
    record = _record(claim)
    return None if record is None else Once(record=record, created=False)


def _repeated(claim: SubmitToken) -> Once:
    record = _record(claim)
    if record is None and claim.content_type_id is not None:
        # The first post's record is gone (deleted since): nothing to show, and nothing to create twice.
        raise ValidationError(OnceFormMixin.once_error)
    return Once(record=record, created=False)


def _record(claim: SubmitToken) -> Any:
    if claim.content_type is None or claim.object_id is None:
        return None
    return claim.content_type.model_class()._default_manager.filter(pk=claim.object_id).first()


def submit_tokens_sweep(*, now=None) -> int:
    """Forget claims older than a token lives: their tokens are refused anyway. Idempotent."""
    cutoff = (now or timezone.now()) - timedelta(seconds=_max_age())
    deleted, _by_model = SubmitToken.objects.filter(created_at__lt=cutoff).delete()
    return deleted
