"""A customer's personal data: reveal a masked number (logged), erase on request. Views are thin."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cac.desk import selectors
from cac.desk.forms import CallForm, add_service_errors
from cac.models import AccessLog
from cac.platform.views import role_required, scoped
from cac.root.customer_360 import _customer_context, _customer_for_360
from cac.security import erasure, privacy


class RevealForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why (optional)"), max_length=300, required=False)


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("For example: the customer's request of 2 December by phone, ticket number."),
    )
    confirm = forms.BooleanField(label=gettext_lazy("I understand that this cannot be undone."))


@role_required("cac.view_customer")
@scoped
@require_POST
def customer_reveal_phone(request, customer_id: int):
    """A role that sees numbers masked asks for this customer's whole numbers: shown once, and logged."""
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    form = RevealForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if not privacy.sees_full_phones(request.user):
        privacy.access_log_record(
            request=request,
            action=AccessLog.Action.REVEAL_PHONE,
            record=customer,
            dealer_ids=[customer.dealer_id],
            reason=reason,
        )
    if request.htmx:
        return render(request, "cac/_customer_phones.html", {"customer": customer, "revealed": True})
    customer = _customer_for_360(request, customer_id)
    context = _customer_context(request, customer, CallForm()) | {"revealed": True}
    return render(request, "cac/customer_detail.html", context)


@role_required(erasure.ERASE_PERMISSION)
@scoped
@require_http_methods(["GET", "POST"])
def customer_erase(request, customer_id: int):
    """The administrator's page for a customer's request to have their personal data deleted."""
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure.customer_erase(
                customer_id=customer.pk, acting_user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The customer's personal data was erased."))
            return redirect("customer_detail", customer_id=customer.pk)
    return render(request, "cac/customer_erase.html", {"customer": customer, "form": form})
