"""The customer 360: the one page that assembles the panels of every workflow around a customer.

It belongs to the composition root: it may read every app's selectors, which no module of the core may do."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cac.cti.dialer import dialer_enabled
from cac.cti.selectors import cti_call_form_initial
from cac.desk import selectors, services
from cac.desk.forms import CallForm, add_service_errors
from cac.platform.views import role_required, scoped
from cac.security.once import submit_once
from callbacks import selectors as callback_selectors
from complaints import selectors as complaint_selectors
from prospects import selectors as prospect_selectors


@role_required("cac.view_customer")
@scoped
@require_GET
def customer_detail(request, customer_id: int):
    customer = _customer_for_360(request, customer_id)
    initial = {}
    if "cti" in request.GET and request.user.has_perm("cac.add_calllog"):
        initial = cti_call_form_initial(user=request.user, call_id=request.GET["cti"])
    call_form = CallForm(once_user=request.user, initial=initial)
    return render(request, "cac/customer_detail.html", _customer_context(request, customer, call_form))


def _customer_for_360(request, customer_id: int):
    """The customer, with each vehicle marked when it is on the key-attention list (in the vehicles' own query)."""
    vehicles = None
    if request.user.has_perm("complaints.view_complaint"):
        vehicles = complaint_selectors.vehicles_with_key_attention()
    return selectors.customer_get(user=request.user, customer_id=customer_id, vehicles=vehicles)


def _customer_context(request, customer, call_form) -> dict:
    context = {
        "customer": customer,
        "vehicles": customer.vehicles.all(),
        "calls": selectors.customer_recent_calls(customer=customer),
        "sms_messages": selectors.customer_recent_sms(customer=customer),
        "call_form": call_form,
        "dialer": dialer_enabled(),
    }
    if request.user.has_perm("complaints.view_complaint"):
        context["open_complaints"] = list(
            complaint_selectors.customer_open_complaints(user=request.user, customer_id=customer.pk)
        )
    if request.user.has_perm("callbacks.view_callback"):
        context["follow_ups"] = callback_selectors.customer_follow_ups(user=request.user, customer_id=customer.pk)
    if request.user.has_perm("prospects.view_prospect"):
        context["prospects"] = list(prospect_selectors.customer_prospects(customer=customer))
    return context


@role_required("cac.add_calllog")
@scoped
@require_http_methods(["POST"])
def customer_call_create(request, customer_id: int):
    """Log a call on the customer 360. With htmx the saved call is returned as a row for the top of the history."""
    customer = _customer_for_360(request, customer_id)
    data = request.POST.copy()
    data["phone"] = customer.mobile
    form = CallForm(data, request.FILES, once_user=request.user)
    if form.is_valid():
        try:
            once = submit_once(
                form,
                lambda: services.call_log(
                    dealer=customer.dealer,
                    acting_user=request.user,
                    customer=customer,
                    phone=form.cleaned_data["phone"],
                    started_at=form.cleaned_data["started_at"],
                    **form.call_fields(),
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if request.htmx:
                # A repeated post adds no second row to the history: the call is already at its top.
                fresh = {"call": once.record, "customer": customer, "call_form": CallForm(once_user=request.user)}
                return render(request, "cac/_call_logged.html" if once.created else "cac/_call_form.html", fresh)
            if once.created:
                messages.success(request, _("Call logged."))
            return redirect("customer_detail", customer_id=customer.pk)
    if request.htmx:
        return render(request, "cac/_call_form.html", {"customer": customer, "call_form": form})
    return render(request, "cac/customer_detail.html", _customer_context(request, customer, form))
