"""The monthly complaint analysis: request, progress, list, download, preview and exports. Views are thin."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cac.desk.forms import add_service_errors
from cac.desk.selectors import dealer_list
from cac.models import AccessLog, User
from cac.platform.media import MissingFile, stored_file_response, stored_size
from cac.platform.views import role_required, scoped
from cac.platform.zones import parse_month
from cac.security.once import submit_once
from cac.security.privacy import access_log_record
from complaints.models import Complaint
from reports import selectors, services
from reports.dashboard import COLUMNS, dashboard_figures, trend_json
from reports.forms import CorrectiveActionCloseForm, CorrectiveActionForm, ReportRequestForm
from reports.models import Status
from reports.pdf import report_context, tables_csv, tables_xlsx
from reports.selectors import add_months

VIEW = "reports.view_monthlyreport"
ADD = "reports.add_monthlyreport"
DASHBOARD = "reports.view_dashboard"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _log_access(request, report, action: AccessLog.Action) -> None:
    """A report leaving the CAC as a file is in the access log, once for each of its dealers."""
    access_log_record(request=request, action=action, record=report, dealer_ids=[d.pk for d in report.dealers.all()])


@role_required(VIEW)
@require_http_methods(["GET", "POST"])
def report_list(request):
    form = ReportRequestForm(
        request.POST or None, dealers=dealer_list(user=request.user).order_by("code"), once_user=request.user
    )
    existing = None
    if request.method == "POST":
        if not request.user.has_perm(ADD):
            raise PermissionDenied
        if form.is_valid():
            try:
                once = submit_once(
                    form,
                    lambda: services.monthly_report_request(
                        dealer_ids=form.selected_dealer_ids(),
                        month=form.cleaned_data["month"],
                        language=translation.get_language() or "zh-hans",
                        requested_by=request.user,
                        regenerate=request.POST.get("regenerate") == "1",
                    ),
                )
            except services.ReportAlreadyRequested as exc:
                existing = exc.report
                messages.info(
                    request,
                    _("The report of %(month)s is already there; it is offered below.")
                    % {"month": f"{existing.month:%Y-%m}"},
                )
            else:
                if once.created:
                    messages.success(request, _("The report is being generated; this page shows when it is ready."))
                return redirect("reports:list")
    reports = list(selectors.monthly_report_list(user=request.user)[:50])
    deletable = services.monthly_reports_deletable(reports=reports, user=request.user)
    for report in reports:
        report.deletable = report.pk in deletable
    return render(request, "reports/report_list.html", {"form": form, "reports": reports, "existing": existing})


@role_required(ADD)
@require_POST
@scoped
def report_delete(request, report_id: int):
    """Its requester deletes a failed or a repeated report."""
    try:
        services.monthly_report_delete(report_id=report_id, acting_user=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The report was deleted."))
    return redirect("reports:list")


@role_required(VIEW)
@require_GET
@scoped
def report_row(request, report_id: int):
    """One row of the list, polled by htmx while the report is queued or generating."""
    report = selectors.monthly_report_get(user=request.user, report_id=report_id)
    return render(request, "reports/_report_row.html", {"report": report})


@role_required(VIEW)
@require_GET
@scoped
def report_download(request, report_id: int):
    report = selectors.monthly_report_get(user=request.user, report_id=report_id)
    if report.status != Status.READY or not report.file:
        raise Http404(_("The report is not ready."))
    try:
        stored_size(report.file)
    except MissingFile:
        messages.error(request, _("The PDF of this report is missing from the file storage; request the report again."))
        return redirect("reports:list")
    _log_access(request, report, AccessLog.Action.REPORT_DOWNLOAD)
    return stored_file_response(
        request,
        report.file,
        as_attachment=True,
        filename=f"complaints-{report.month:%Y-%m}.pdf",
        content_type="application/pdf",
    )


def _snapshot_context(request, report_id: int) -> dict:
    """A ready report's tables, from its snapshot; a report without one has no tables to export."""
    report = selectors.monthly_report_get(user=request.user, report_id=report_id, with_snapshot=True)
    if report.snapshot is None:
        raise Http404(_("The report is not ready."))
    return {"report": report, **report_context(report.snapshot)}


@role_required(VIEW)
@require_GET
@scoped
def report_preview(request, report_id: int):
    """What the PDF shows, from the figures kept when it was generated, in the page's language; a report not
    generated yet shows its state (and the page polls while it is queued or generating)."""
    report = selectors.monthly_report_get(user=request.user, report_id=report_id, with_snapshot=True)
    context = {"report": report}
    if report.snapshot is not None:
        context.update(report_context(report.snapshot))
    return render(request, "reports/report_preview.html", context)


@role_required(VIEW)
@require_GET
@scoped
def report_csv(request, report_id: int):
    context = _snapshot_context(request, report_id)
    _log_access(request, context["report"], AccessLog.Action.EXPORT_CSV)
    response = HttpResponse(tables_csv(context["tables"]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="complaints-{context["report"].month:%Y-%m}.csv"'
    return response


@role_required(VIEW)
@require_GET
@scoped
def report_xlsx(request, report_id: int):
    context = _snapshot_context(request, report_id)
    _log_access(request, context["report"], AccessLog.Action.EXPORT_XLSX)
    response = HttpResponse(tables_xlsx(context["tables"]), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="complaints-{context["report"].month:%Y-%m}.xlsx"'
    return response


# --- Corrective and preventive actions ------------------------------------------------------------------------------

ACTIONS_VIEW = "reports.view_correctiveaction"


def _actions_month(request) -> date:
    """The month asked for (?month=YYYY-MM), else the last closed month: the one whose analysis is on the table."""
    month = parse_month(request.GET.get("month", ""))
    if month is None:
        month = add_months(timezone.localdate().replace(day=1), -1)
    return month


def _action_form(request, data=None) -> CorrectiveActionForm:
    dealers = dealer_list(user=request.user).order_by("code")
    owners = User.objects.filter(is_active=True, dealers__in=dealers).distinct().order_by("username")
    return CorrectiveActionForm(data, dealers=dealers, owners=owners, once_user=request.user)


@role_required(ACTIONS_VIEW)
@require_http_methods(["GET", "POST"])
def action_list(request):
    """The actions decided on a month's analysis, the previous month's under review, and a form to plan one."""
    month = _actions_month(request)
    form = _action_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not request.user.has_perm(services.ACTION_ADD):
            raise PermissionDenied
        if form.is_valid():
            try:
                once = submit_once(
                    form,
                    lambda: services.corrective_action_create(
                        dealer_id=int(form.cleaned_data["dealer"]),
                        month=month,
                        action=form.cleaned_data["action"],
                        owner_id=form.cleaned_data["owner"],
                        due_on=form.cleaned_data["due_on"],
                        complaint_numbers=form.complaint_numbers(),
                        acting_user=request.user,
                    ),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if once.created:
                    messages.success(request, _("The action is planned."))
                return redirect(f"{reverse('reports:actions')}?month={month:%Y-%m}")
    complaints = Prefetch("complaints", queryset=Complaint.objects.order_by("number").only("id", "number"))
    actions = selectors.corrective_action_list(user=request.user).prefetch_related(complaints)
    context = {
        "month": month,
        "previous_month": add_months(month, -1),
        "next_month": add_months(month, 1),
        "actions": actions.filter(month=month).order_by("due_on", "id"),
        "reviewed": actions.filter(month=add_months(month, -1)).order_by("due_on", "id"),
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "reports/action_list.html", context)


@role_required(services.ACTION_CHANGE)
@require_POST
@scoped
def action_close(request, action_id: int):
    """Done (what it achieved) or dropped (why), from the action list."""
    record = selectors.corrective_action_list(user=request.user).get(pk=action_id)
    back = f"{reverse('reports:actions')}?month={record.month:%Y-%m}"
    form = CorrectiveActionCloseForm(request.POST)
    if form.is_valid():
        try:
            services.corrective_action_close(
                action_id=record.pk,
                done=request.POST.get("close") != "drop",
                outcome=form.cleaned_data["outcome"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The action is closed."))
    else:
        messages.error(request, " ".join(form.errors["outcome"]))  # its one field
    return redirect(back)


@role_required(DASHBOARD)
@require_GET
def dashboard(request):
    """The executive's home: the month (to date) of the user's dealers against the previous month and the same
    month last year, the 12-month trend and, for several dealers, the dealers ranked against their targets.
    `?month=2026-03` shows a closed month, with the figures of its monthly report."""
    month = parse_month(request.GET.get("month"))
    figures = dashboard_figures(user=request.user, month=month)
    return render(
        request,
        "reports/dashboard.html",
        {"dashboard": figures, "trend": trend_json(figures), "columns": COLUMNS},
    )
