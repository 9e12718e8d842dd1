"""Deliveries and repair orders: recorded by hand from the customer 360, imported from the DMS as CSV, listed (the
三包 watch page is the follow-up app's: callbacks.views.sanbao). Views are thin: validate, call one service, message,
redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cac.desk import selectors
from cac.desk.forms import add_service_errors
from cac.events import import_jobs, imports
from cac.events import selectors as event_selectors
from cac.events import services as events
from cac.events.forms import ImportConfirmForm, ImportForm, SaleForm, ServiceVisitForm
from cac.platform.pagination import page_of
from cac.platform.views import role_required, scoped
from cac.platform.zones import parse_month
from cac.security.once import submit_once

PAGE_SIZE = 25


# --- Lists ---------------------------------------------------------------------------------


@role_required("cac.view_sale")
@require_GET
def sale_list(request):
    """The deliveries; `?month=YYYY-MM` and `?dealer=ID` narrow them (the dashboard's complaint rate links here)."""
    sales = _narrowed(request, event_selectors.sale_list(user=request.user), event_selectors.delivered_in)
    sales = sales.order_by("-delivered_on", "-id")
    page = page_of(sales, request.GET.get("page"), PAGE_SIZE)
    return render(request, "cac/events/sale_list.html", {"page": page})


def _narrowed(request, rows, in_month):
    """`rows` of the month and the dealer asked for; a month or a dealer that is not one is ignored, never a 500."""
    month = parse_month(request.GET.get("month"))
    if month is not None:
        rows = rows.filter(in_month(month))
    dealer = request.GET.get("dealer", "")
    if dealer.isdigit():
        rows = rows.filter(dealer_id=int(dealer))  # within the user's dealers: the list is scoped already
    return rows


@role_required("cac.view_servicevisit")
@require_GET
def service_visit_list(request):
    """The repair orders; `?month=YYYY-MM`, `?dealer=ID` and `?rework=1` narrow them (the dashboard links here)."""
    visits = _narrowed(request, event_selectors.service_visit_list(user=request.user), event_selectors.repair_orders_in)
    if request.GET.get("rework") == "1":
        visits = visits.filter(event_selectors.rework())
    visits = visits.order_by("-date_in", "-id")
    page = page_of(visits, request.GET.get("page"), PAGE_SIZE)
    return render(request, "cac/events/service_visit_list.html", {"page": page})


# --- By hand, from the customer 360 ----------------------------------------------------------


def _event_form(request, customer_id: int, form_class):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    staff = selectors.staff_list(user=request.user).filter(dealers=customer.dealer_id)
    form = form_class(
        request.POST or None, vehicles=customer.vehicles.order_by("vin"), staff=staff, once_user=request.user
    )
    return customer, form


@role_required("cac.add_sale")
@scoped
@require_http_methods(["GET", "POST"])
def sale_create(request, customer_id: int):
    customer, form = _event_form(request, customer_id, SaleForm)
    if request.method == "POST" and form.is_valid():
        try:
            once = submit_once(
                form,
                lambda: events.sale_record(
                    dealer=customer.dealer, customer=customer, acting_user=request.user, **form.cleaned_data
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if once.created and once.record[1]:
                messages.success(request, _("Delivery recorded; its follow-up call is scheduled."))
            elif once.created:
                messages.info(request, _("This vehicle's delivery was already recorded: nothing changed."))
            return redirect("customer_detail", customer_id=customer.pk)
    return render(
        request, "cac/events/event_form.html", {"form": form, "customer": customer, "title": _("Record a delivery")}
    )


@role_required("cac.add_servicevisit")
@scoped
@require_http_methods(["GET", "POST"])
def service_visit_create(request, customer_id: int):
    customer, form = _event_form(request, customer_id, ServiceVisitForm)
    if request.method == "POST" and form.is_valid():
        try:
            once = submit_once(
                form,
                lambda: events.service_visit_record(
                    dealer=customer.dealer, customer=customer, acting_user=request.user, **form.cleaned_data
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if once.created and once.record[1]:
                messages.success(request, _("Repair order recorded; its follow-up call is scheduled."))
            elif once.created:
                messages.info(request, _("This repair order number was already recorded: nothing changed."))
            return redirect("customer_detail", customer_id=customer.pk)
    return render(
        request,
        "cac/events/event_form.html",
        {"form": form, "customer": customer, "title": _("Record a repair order")},
    )


# --- CSV import from the DMS -------------------------------------------------------------------


def _may_import(user) -> bool:
    return any(user.has_perm(perm) for perm in imports.PERMISSIONS.values())


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Choose the kind and the file. The file is checked at once: a clean file is queued for a worker to import;
    a file with bad rows shows them, and its good rows are queued only when the user confirms."""
    if not _may_import(request.user):
        raise PermissionDenied
    dealers = selectors.dealer_list(user=request.user)
    form = ImportForm(
        request.POST or None, request.FILES or None, user=request.user, dealers=dealers, once_user=request.user
    )
    if request.method == "POST" and form.is_valid():
        dealer, kind = form.cleaned_data["dealer"], form.cleaned_data["kind"]
        content = form.cleaned_data["file"].read()
        filename = form.cleaned_data["file"].name
        check = imports.import_check(
            dealer=dealer, kind=kind, content=content, acting_user=request.user, today=timezone.localdate()
        )
        if check.errors:
            return _preview(request, check, dealer=dealer, content=content, filename=filename, dealers=dealers)
        once = submit_once(
            form,
            lambda: import_jobs.dms_import_request(
                dealer=dealer,
                kind=kind,
                filename=filename,
                content=content,
                good_rows_only=False,
                acting_user=request.user,
            ),
        )
        return _queued(request, once)
    return render(request, "cac/events/import.html", {"form": form, "columns": imports.COLUMNS})


def _preview(request, check, *, dealer, content: bytes, filename: str, dealers):
    confirm = ImportConfirmForm(
        initial={
            "dealer": dealer.pk,
            "kind": check.kind,
            "filename": filename,
            "content": ImportConfirmForm.encode(content),
            "good_rows_only": True,
        },
        user=request.user,
        dealers=dealers,
        once_user=request.user,
    )
    return render(
        request,
        "cac/events/import_preview.html",
        {"check": check, "confirm": confirm, "filename": filename, "kind_label": imports.KINDS[check.kind]},
    )


@login_required
@require_POST
def import_confirm(request):
    """Import the good rows of a checked file."""
    if not _may_import(request.user):
        raise PermissionDenied
    dealers = selectors.dealer_list(user=request.user)
    form = ImportConfirmForm(request.POST, user=request.user, dealers=dealers, once_user=request.user)
    if not form.is_valid():
        messages.error(request, _("The file was damaged on the way; upload it again."))
        return redirect("events:import")
    data = form.cleaned_data
    once = submit_once(
        form,
        lambda: import_jobs.dms_import_request(
            dealer=data["dealer"],
            kind=data["kind"],
            filename=data["filename"] or "import.csv",
            content=data["content"],
            good_rows_only=True,
            acting_user=request.user,
        ),
    )
    return _queued(request, once)


def _queued(request, once):
    """The import's progress page; the same form sent again (a double click, a reload) finds the first import."""
    if not once.created:
        messages.info(request, _("This file was imported already."))
    return redirect("events:import_status", import_id=once.record.pk)
