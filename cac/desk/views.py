"""The agent call desk: look a caller up, see the customer 360, log the call. Views are thin."""

import mimetypes
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cac.cti.dialer import cti_dial, dialer_enabled
from cac.cti.selectors import cti_call_form_initial, cti_call_get, missed_calls_count, missed_calls_owed
from cac.desk import selectors, services
from cac.desk.filters import CallFilter, CustomerFilter
from cac.desk.forms import CallForm, CustomerForm, VehicleForm, add_service_errors
from cac.desk.phones import normalize_phone
from cac.models import AccessLog
from cac.platform.media import stored_file_response
from cac.platform.pagination import page_of
from cac.platform.views import role_required, scoped
from cac.security import privacy
from cac.security.once import submit_once

PAGE_SIZE = 25
MISSED_SHOWN = 10


# --- The desk ------------------------------------------------------------------------


@role_required("cac.view_customer")
@require_GET
def desk(request):
    calls = selectors.call_list(user=request.user)
    context = {
        "my_calls": calls.filter(handled_by=request.user)[:10],
        "owed_calls": selectors.calls_owing_callback(user=request.user),
        "missed_calls": missed_calls_owed(user=request.user)[:MISSED_SHOWN],
        "missed_count": missed_calls_count(user=request.user),
        "dialer": dialer_enabled(),
        "query": request.GET.get("q", ""),
    }
    return render(request, "cac/desk.html", context)


@role_required("cac.view_customer")
@require_GET
def customer_lookup(request):
    """As-you-type results for the phone box (an htmx fragment)."""
    query = request.GET.get("q", "")
    results = selectors.customer_lookup(user=request.user, query=query)
    return render(
        request,
        "cac/_lookup_results.html",
        {"results": results, "query": query, "new_call_url": _new_call_url(query, request.user)},
    )


def _new_call_url(query: str, user) -> str | None:
    """The inline-creation flow for a number nobody has yet, when the number is a valid phone."""
    if not user.has_perm("cac.add_calllog"):
        return None
    try:
        phone = normalize_phone(query)
    except ValidationError:
        return None
    return reverse("call_new") + "?" + urlencode({"phone": phone})


@role_required("cac.view_customer")
@require_GET
def customer_find(request):
    """Enter in the phone box: one match opens the 360, an unknown number opens the new-caller form."""
    query = request.GET.get("q", "").strip()
    results = selectors.customer_lookup(user=request.user, query=query)
    if len(results) == 1:
        return redirect("customer_detail", customer_id=results[0].pk)
    new_call_url = _new_call_url(query, request.user)
    if not results and new_call_url:
        return redirect(new_call_url)
    if not results:
        messages.warning(request, _("No customer matches “%(query)s”.") % {"query": query})
    return render(
        request,
        "cac/desk.html",
        {"results": results, "query": query, "new_call_url": new_call_url, "my_calls": [], "owed_calls": []},
    )


# --- Customers -------------------------------------------------------------------------


@role_required("cac.view_customer")
@require_GET
def customer_list(request):
    staff = selectors.staff_list(user=request.user)
    customer_filter = CustomerFilter(request.GET, queryset=selectors.customer_list(user=request.user), staff=staff)
    page = page_of(customer_filter.qs.order_by("name", "pk"), request.GET.get("page"), PAGE_SIZE)
    return render(request, "cac/customer_list.html", {"filter": customer_filter, "page": page})


@role_required("cac.add_customer")
@require_http_methods(["GET", "POST"])
def customer_create(request):
    dealers = selectors.dealer_list(user=request.user)
    staff = selectors.staff_list(user=request.user)
    initial = {"owner": request.user.pk}
    if "mobile" in request.GET:
        initial["mobile"] = request.GET["mobile"][:30]
    form = CustomerForm(request.POST or None, dealers=dealers, staff=staff, initial=initial, once_user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        dealer = data.pop("dealer")
        try:
            once = submit_once(form, lambda: services.customer_create(dealer=dealer, acting_user=request.user, **data))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if once.created:
                messages.success(request, _("Customer %(name)s saved.") % {"name": once.record.name})
            return redirect("customer_detail", customer_id=once.record.pk)
    return render(request, "cac/customer_form.html", {"form": form, "title": _("New customer")})


@role_required("cac.change_customer")
@scoped
@require_http_methods(["GET", "POST"])
def customer_edit(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    staff = selectors.staff_list(user=request.user)
    form = CustomerForm(request.POST or None, instance=customer, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(customer_id=customer.pk, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Customer %(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect("customer_detail", customer_id=customer.pk)
    return render(request, "cac/customer_form.html", {"form": form, "customer": customer, "title": _("Edit customer")})


# --- Vehicles ----------------------------------------------------------------------------


@role_required("cac.add_vehicle")
@scoped
@require_http_methods(["GET", "POST"])
def vehicle_create(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    form = VehicleForm(request.POST or None, once_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            once = submit_once(
                form,
                lambda: services.vehicle_create(customer=customer, acting_user=request.user, **form.cleaned_data),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if once.created:
                messages.success(request, _("Vehicle saved."))
            return redirect("customer_detail", customer_id=customer.pk)
    return render(request, "cac/vehicle_form.html", {"form": form, "customer": customer, "title": _("New vehicle")})


@role_required("cac.change_vehicle")
@scoped
@require_http_methods(["GET", "POST"])
def vehicle_edit(request, vehicle_id: int):
    vehicle = selectors.vehicle_get(user=request.user, vehicle_id=vehicle_id)
    form = VehicleForm(request.POST or None, instance=vehicle)
    if request.method == "POST" and form.is_valid():
        try:
            services.vehicle_update(vehicle_id=vehicle.pk, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Vehicle saved."))
            return redirect("customer_detail", customer_id=vehicle.customer_id)
    return render(
        request,
        "cac/vehicle_form.html",
        {"form": form, "customer": vehicle.customer, "title": _("Edit vehicle")},
    )


# --- Calls ---------------------------------------------------------------------------------


@role_required("cac.add_calllog")
@require_http_methods(["GET", "POST"])
def call_new(request):
    """A call from a number no customer has: log it, and save the caller as a customer in the same step."""
    dealers = selectors.dealer_list(user=request.user)
    initial = {"phone": request.GET.get("phone", "")[:30]}
    if "cti" in request.GET:
        initial.update(cti_call_form_initial(user=request.user, call_id=request.GET["cti"]))
    form = CallForm(
        request.POST or None,
        request.FILES or None,
        dealers=dealers,
        unknown_caller=True,
        initial=initial,
        once_user=request.user,
    )
    existing = None
    if initial["phone"]:
        matches = selectors.customer_lookup(user=request.user, query=initial["phone"], limit=2)
        existing = matches[0] if len(matches) == 1 and len(initial["phone"]) >= 11 else None
    if request.method == "POST" and form.is_valid():
        try:
            once = submit_once(
                form,
                lambda: services.call_log(
                    dealer=form.cleaned_data["dealer"],
                    acting_user=request.user,
                    phone=form.cleaned_data["phone"],
                    started_at=form.cleaned_data["started_at"],
                    new_customer=form.new_customer_fields(),
                    **form.call_fields(),
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc, field_map={"mobile": "phone", "name": "customer_name"})
        else:
            call = once.record
            if once.created:
                messages.success(request, _("Call logged."))
            if call.customer_id:
                return redirect("customer_detail", customer_id=call.customer_id)
            return redirect("call_detail", call_id=call.pk)
    return render(request, "cac/call_new.html", {"form": form, "existing": existing})


@role_required("cac.view_calllog")
@scoped
@require_GET
def call_detail(request, call_id: int):
    """A call and its caller: the name they gave, their number's other calls, and what to do next for a caller who
    is no customer yet (save them as a customer, capture them as a prospect)."""
    call = selectors.call_get(user=request.user, call_id=call_id)
    context = {"call": call, "other_calls": selectors.calls_of_number(call=call)}
    return render(request, "cac/call_detail.html", context)


@role_required("cac.view_calllog")
@require_GET
def call_list(request):
    staff = selectors.staff_list(user=request.user)
    call_filter = CallFilter(request.GET, queryset=selectors.call_list(user=request.user), staff=staff)
    page = page_of(call_filter.qs.order_by("-started_at", "-pk"), request.GET.get("page"), PAGE_SIZE)
    return render(request, "cac/call_list.html", {"filter": call_filter, "page": page})


@role_required("cac.listen_to_recording")
@scoped
@require_GET
def call_recording(request, call_id: int):
    """A call's recording, streamed only to staff of the call's dealer who may listen to recordings."""
    call = selectors.call_get(user=request.user, call_id=call_id)
    if not call.recording:
        raise Http404(_("This call has no recording."))
    # A player seeking asks for ranges: one play is logged once, at its first byte.
    if request.headers.get("Range", "bytes=0-").startswith("bytes=0-"):
        privacy.access_log_record(
            request=request, action=AccessLog.Action.RECORDING_PLAY, record=call, dealer_ids=[call.dealer_id]
        )
    path = Path(call.recording.name)
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    # Ranges answered, so that the player can seek.
    return stored_file_response(request, call.recording, content_type=content_type, filename=path.name)


# --- Click to call -------------------------------------------------------------------------


@role_required("cac.add_calllog")
@require_http_methods(["POST"])
def call_dial(request):
    """The call button: the agent's phone rings, then dials the customer's number (or the missed caller's)."""
    target = request.POST.get("next") or ""
    back = target if target.startswith("/") and not target.startswith("//") else reverse("desk")
    customer_id = request.POST.get("customer", "")
    try:
        if customer_id:
            if not customer_id.isdigit() or len(customer_id) > 18:
                raise Http404
            customer = selectors.customer_list(user=request.user).get(pk=int(customer_id))
            dealer, phone = customer.dealer, customer.mobile
        else:
            call = cti_call_get(user=request.user, call_id=int(request.POST.get("cti", "0")[:18] or 0))
            dealer, phone = call.dealer, call.phone
        cti_dial(acting_user=request.user, dealer=dealer, phone=phone)
    except (ValueError, ObjectDoesNotExist):
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(
            request,
            _("Your phone rings: pick it up to call %(phone)s.") % {"phone": privacy.phone_for(phone, request.user)},
        )
    return redirect(back)
