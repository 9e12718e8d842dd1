"""Follow-up call screens: the agent's worklist for today, working one call (script, attempt and answers in one
submit), supervisors' cancel and reassign, and the statistics. Views are thin: a form validates, one service
writes, a refused step comes back as a form error."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import has_transition_perm

from cac import seams
from cac.desk.forms import add_service_errors
from cac.desk.selectors import dealer_ids, dealer_list
from cac.models import Customer
from cac.platform.attempts import AttemptResult
from cac.platform.business_time import dealer_day_closing
from cac.platform.pagination import page_of
from cac.platform.views import id_param, role_required, scoped
from cac.platform.zones import parse_month
from cac.security.once import submit_once
from callbacks import care, selectors, services
from callbacks.forms import AssignForm, AttemptForm, CallListForm, CancelForm, StatsFilterForm, WorklistFilterForm
from callbacks.models import OPEN_STATUSES, SUPERVISE, WORK, Kind, Status
from callbacks.warranty_watch import Thresholds, sanbao_watch_list

WORKLIST_PAGE_SIZE = 25
# A dissatisfied customer on these calls is a new complaint, whose category the caller picks.
RAISES_COMPLAINT = (Kind.AFTER_SALE, Kind.AFTER_SERVICE)

VIEW = "callbacks.view_callback"


@role_required(WORK)
@require_GET
def worklist(request):
    agent_id = None
    filter_form = None
    agents = []
    if request.user.has_perm(SUPERVISE):
        filter_form = WorklistFilterForm(request.GET or None, agents=selectors.callback_agent_list(user=request.user))
        if filter_form.is_valid() and filter_form.cleaned_data["agent"]:
            agent_id = filter_form.cleaned_data["agent"].pk
        agents = list(filter_form.fields["agent"].queryset)  # the select's options, read once
    now = timezone.now()
    tab = request.GET.get("tab", "")
    kind = request.GET.get("kind", "")
    filters = selectors.WorklistFilters(
        tab=tab if tab in selectors.WORKLIST_TABS else "",
        kind=kind if kind in Kind.values else "",
        query=request.GET.get("q", "").replace("\x00", "").strip()[:60],
    )
    worklist = selectors.callback_worklist(user=request.user, now=now, agent_id=agent_id, filters=filters)
    totals = selectors.worklist_totals(user=request.user, now=now, agent_id=agent_id, filters=filters)
    shown = {
        "": totals["total"],
        "today": totals["today"],
        "overdue": totals["before_today"],
        "late": totals["overdue"],
        "slot": totals["in_slot"],
    }[filters.tab]
    page = page_of(worklist, request.GET.get("page"), WORKLIST_PAGE_SIZE, count=shown)
    context = {
        "filters": filters,
        "kinds": Kind.choices,
        "tabs": [
            ("", _("All"), totals["total"]),
            ("today", _("Due today"), totals["today"]),
            ("overdue", _("Overdue from earlier days"), totals["before_today"]),
            ("late", _("Overdue now"), totals["overdue"]),
            ("slot", _("Left in this slot"), totals["in_slot"]),
        ],
        "rows": selectors.worklist_by_customer(selectors.worklist_rows(page.object_list, now=now)),
        "page": page,
        "filter_form": filter_form,
        "agents": agents,
        "now": now,
        "total": totals["total"],
        "overdue_count": totals["overdue"],
    }
    return render(request, "callbacks/worklist.html", context)


def _attempt_form(callback, data=None, *, user) -> AttemptForm:
    return AttemptForm(
        data,
        questions=services.questions_for(dealer=callback.dealer, kind=callback.kind),
        complaint_categories=seams.complaint_categories() if callback.kind in RAISES_COMPLAINT else None,
        once_user=user,
    )


def _detail(request, callback_id: int, *, forms: dict | None = None, status: int = 200):
    """The work screen, fetched afresh; `forms` carries a bound form with errors to show in place of a blank one."""
    user = request.user
    forms = forms or {}
    callback = selectors.callback_get(user=user, callback_id=callback_id)
    questions = services.questions_for(dealer=callback.dealer, kind=callback.kind)
    is_open = callback.status in OPEN_STATUSES
    excluded = callback.excluded_agent_id == user.pk
    now = timezone.now()
    context = {
        "callback": callback,
        "attempts": list(callback.attempts.all()),
        "is_open": is_open,
        "excluded": excluded,
        "overdue": is_open and callback.due_at < now,
        "blocked_until": callback.next_attempt_at
        if callback.next_attempt_at and callback.next_attempt_at > now
        else None,
        "attempt_form": None,
        "cancel_form": None,
        "assign_form": None,
        "answered": [
            (question, callback.answers.get(str(question.pk)))
            for question in questions
            if str(question.pk) in callback.answers
        ],
        "kinds": Kind,
    }
    if is_open and not excluded and user.has_perm(WORK):
        context["attempt_form"] = forms.get("attempt") or _attempt_form(callback, user=user)
    if is_open and has_transition_perm(callback.cancel, user):
        context["cancel_form"] = forms.get("cancel") or CancelForm()
    if is_open and user.has_perm(SUPERVISE):
        agents = selectors.callback_agent_list(user=user, dealer_id=callback.dealer_id)
        if callback.excluded_agent_id:
            agents = agents.exclude(pk=callback.excluded_agent_id)
        context["assign_form"] = forms.get("assign") or AssignForm(agents=agents, initial={"agent": callback.agent_id})
    return render(request, "callbacks/callback_detail.html", context, status=status)


@role_required(VIEW)
@scoped
@require_GET
def callback_detail(request, callback_id: int):
    return _detail(request, callback_id)


@role_required(WORK)
@scoped
@require_POST
def callback_attempt(request, callback_id: int):
    """Record one attempt with, when the customer was reached, the answers; one submit, one service call."""
    callback = selectors.callback_get(user=request.user, callback_id=callback_id)
    form = _attempt_form(callback, request.POST, user=request.user)
    if form.is_valid():
        try:
            once = submit_once(
                form,
                lambda: services.callback_record_attempt(
                    callback_id=callback.pk, acting_user=request.user, **form.service_data()
                ),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not once.created:
                return redirect("callbacks:worklist")
            return _after_attempt(request, once.record, result=form.cleaned_data["result"])
    return _detail(request, callback_id, forms={"attempt": form})


def _after_attempt(request, callback, *, result: str):
    customer = callback.customer.name
    if callback.status == Status.COMPLETED:
        raised = callback.raised_complaint if callback.raised_complaint_id else None
        followed = callback.complaint if callback.complaint_id else None
        if raised is not None:
            messages.warning(
                request,
                format_html(
                    _(
                        "Follow-up call with {customer} completed. The customer is dissatisfied: complaint "
                        '<a href="{url}">{number}</a> was opened and sent to {manager}.'
                    ),
                    customer=customer,
                    url=reverse("complaints:detail", args=[raised.pk]),
                    number=raised.number,
                    manager=raised.owner or _("no manager yet"),
                ),
            )
            # The agent sees the new complaint at once, on the call's own page.
            return redirect("callbacks:detail", callback_id=callback.pk)
        if followed is not None and followed.is_open:  # the dissatisfied answer reopened it
            messages.warning(
                request,
                format_html(
                    _(
                        "Follow-up call with {customer} completed. The customer is dissatisfied: complaint "
                        '<a href="{url}">{number}</a> was reopened and sent to {manager}.'
                    ),
                    customer=customer,
                    url=reverse("complaints:detail", args=[followed.pk]),
                    number=followed.number,
                    manager=followed.owner or _("no manager yet"),
                ),
            )
            return redirect("callbacks:detail", callback_id=callback.pk)
        messages.success(request, _("Follow-up call with %(customer)s completed.") % {"customer": customer})
        if callback.complaint_id:
            return redirect("callbacks:detail", callback_id=callback.pk)
    elif callback.status == Status.DECLINED:
        messages.info(
            request,
            _(
                "%(customer)s declined phone follow-up: an SMS follow-up is queued to be sent, and SMS is now their"
                " preferred channel."
            )
            % {"customer": customer},
        )
    elif callback.status == Status.UNREACHABLE:
        messages.warning(
            request, _("%(customer)s is unreachable: an SMS follow-up is queued to be sent.") % {"customer": customer}
        )
    else:
        when = callback.next_attempt_at
        messages.info(
            request,
            _("%(result)s recorded for %(customer)s. Next attempt from %(when)s.")
            % {
                "result": AttemptResult(result).label,
                "customer": customer,
                "when": formats.date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT") if when else _("now"),
            },
        )
    return redirect("callbacks:worklist")


@role_required(SUPERVISE)
@scoped
@require_POST
def callback_cancel(request, callback_id: int):
    callback = selectors.callback_get(user=request.user, callback_id=callback_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.callback_cancel(
                callback_id=callback.pk, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Follow-up call with %(customer)s cancelled.") % {"customer": callback.customer.name}
            )
            return redirect("callbacks:detail", callback_id=callback.pk)
    return _detail(request, callback_id, forms={"cancel": form})


@role_required(SUPERVISE)
@scoped
@require_POST
def callback_assign(request, callback_id: int):
    callback = selectors.callback_get(user=request.user, callback_id=callback_id)
    agents = selectors.callback_agent_list(user=request.user, dealer_id=callback.dealer_id)
    form = AssignForm(request.POST, agents=agents)
    if form.is_valid():
        agent = form.cleaned_data["agent"]
        try:
            services.callback_assign(callback_ids=[callback.pk], agent=agent, acting_user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Follow-up call given to %(name)s.") % {"name": agent})
            return redirect("callbacks:detail", callback_id=callback.pk)
    return _detail(request, callback_id, forms={"assign": form})


@role_required(SUPERVISE)
@require_GET
def callback_stats(request):
    date_from, date_to = StatsFilterForm.this_month()
    form = StatsFilterForm(request.GET or None, initial={"date_from": date_from, "date_to": date_to})
    stats = None
    if not request.GET:
        stats = selectors.callback_stats(user=request.user, date_from=date_from, date_to=date_to)
    elif form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        stats = selectors.callback_stats(user=request.user, date_from=date_from, date_to=date_to)
    return render(
        request,
        "callbacks/stats.html",
        {"form": form, "stats": stats, "date_from": date_from, "date_to": date_to},
    )


# --- Campaign, recall and holiday-greeting call lists ------------------------------------------------------------

PREVIEW_SIZE = 20


def _reach(customers: QuerySet[Customer]) -> dict[str, int]:
    """How many customers the filters chose, and how many of them get no call and why (one query)."""
    counts = customers.aggregate(
        total=Count("pk"),
        no_consent=Count("pk", filter=Q(consents_to_calls=False)),
        no_contact=Count("pk", filter=Q(consents_to_calls=True, preferred_channel=Customer.ContactChannel.NONE)),
    )
    counts["reachable"] = counts["total"] - counts["no_consent"] - counts["no_contact"]
    return counts


def _call_list_form(request, data=None, *, creating: bool = False) -> CallListForm:
    dealers = dealer_list(user=request.user).order_by("name")
    return CallListForm(
        data,
        dealers=dealers,
        several_dealers=len(dealer_ids(user=request.user)) > 1,
        creating=creating,
        once_user=request.user,
    )


@role_required(SUPERVISE)
@require_http_methods(["GET", "POST"])
def call_list_new(request):
    """GET with the filters: a preview (how many, the first 20); POST: create the calls, then back to the worklist."""
    if request.method == "POST":
        form = _call_list_form(request, request.POST, creating=True)
        if form.is_valid():
            response = _call_list_create(request, form)
            if response is not None:
                return response
        return render(request, "callbacks/call_list_form.html", {"form": form, "preview": None})

    form = _call_list_form(request, request.GET or None)
    preview = None
    if form.is_bound and form.is_valid():
        customers = form.customers(user=request.user)
        preview = {
            **_reach(customers),
            "customers": customers.order_by("name", "pk").prefetch_related(
                Prefetch("vehicles", queryset=form.vehicles(user=request.user).order_by("vin"))
            )[:PREVIEW_SIZE],
            "unknown_vins": form.unknown_vins(user=request.user),
        }
    return render(request, "callbacks/call_list_form.html", {"form": form, "preview": preview})


def _call_list_create(request, form: CallListForm):
    """Create the list's calls; None (with the error on the form) when nothing was written."""
    data = form.cleaned_data
    customers = form.customers(user=request.user)
    reach = _reach(customers)
    if not reach["total"]:
        form.add_error(None, _("No customer matches these filters."))
        return None
    try:
        once = submit_once(
            form,
            lambda: care.campaign_callbacks_create(
                dealer=data["dealer"],
                name=data["name"].strip(),
                customers=customers,
                due_at=dealer_day_closing(data["dealer"], data["due_on"]),
                acting_user=request.user,
                kind=form.callback_kind,
            ),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    if not once.created:
        return redirect("callbacks:worklist")
    created = once.record
    messages.success(
        request,
        ngettext(
            "Call list “%(name)s”: %(count)d follow-up call created.",
            "Call list “%(name)s”: %(count)d follow-up calls created.",
            created,
        )
        % {"name": data["name"].strip(), "count": created},
    )
    skipped = _skipped(
        no_consent=reach["no_consent"], no_contact=reach["no_contact"], already=reach["reachable"] - created
    )
    if skipped:
        messages.info(request, _("Skipped: %(reasons)s") % {"reasons": " ".join(skipped)})
    return redirect("callbacks:worklist")


def _skipped(*, no_consent: int, no_contact: int, already: int) -> list[str]:
    """Why customers of the list got no new call, one sentence per reason."""
    reasons = []
    if no_consent:
        reasons.append(
            ngettext(
                "%(count)d customer does not consent to calls.",
                "%(count)d customers do not consent to calls.",
                no_consent,
            )
            % {"count": no_consent}
        )
    if no_contact:
        reasons.append(
            ngettext("%(count)d customer wants no contact.", "%(count)d customers want no contact.", no_contact)
            % {"count": no_contact}
        )
    if already:
        reasons.append(
            ngettext(
                "%(count)d customer is already on this list.", "%(count)d customers are already on this list.", already
            )
            % {"count": already}
        )
    return reasons


@role_required("complaints.manage_complaint")
@require_GET
def sanbao(request):
    """For the service manager: vehicles near or over a 三包 threshold, with the figures, of all one's dealers."""
    rows = sanbao_watch_list(user=request.user)
    several_dealers = len(dealer_ids(user=request.user)) > 1
    return render(
        request,
        "cac/events/sanbao.html",
        {"rows": rows, "limits": Thresholds.from_settings(), "several_dealers": several_dealers},
    )


MONTH_FIGURE_LABELS = {
    "due": _("Due in the month"),
    "made": _("Made"),
    "on_time": _("Made on time"),
    "unreachable": _("Unreachable"),
    "scored": _("With a satisfaction score"),
    "satisfied": _("Satisfied (4 or 5 of 5)"),
    "top_box": _("Very satisfied (5 of 5)"),
}


@role_required(VIEW)
@require_GET
def callback_month(request):
    """The follow-up calls a month's figure counts (`?month=2026-03&figure=on_time&dealer=…`): the list each figure
    of the monthly report and the dashboard links to, read-only."""
    month = parse_month(request.GET.get("month")) or timezone.localdate().replace(day=1)
    figure = request.GET.get("figure", "due")
    figure = figure if figure in selectors.MONTH_FIGURES else "due"
    dealer = id_param(request, "dealer")
    kind = request.GET.get("kind", "")
    calls = selectors.callback_month_list(
        user=request.user, month=month, figure=figure, dealer_id=dealer, kind=kind if kind in Kind.values else ""
    )
    page = page_of(calls, request.GET.get("page"), WORKLIST_PAGE_SIZE)
    context = {
        "page": page,
        "month": month,
        "figure": figure,
        "figures": list(MONTH_FIGURE_LABELS.items()),
        "dealer": dealer,
        "dealers": dealer_list(user=request.user).order_by("code"),
    }
    return render(request, "callbacks/month.html", context)
