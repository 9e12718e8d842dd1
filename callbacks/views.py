"""Follow-up call screens: the agent's worklist for today, working one call (script, attempt and answers in one
submit), supervisors' cancel and reassign, and the statistics. Views are thin: a form validates, one service
writes, a refused step comes back as a form error."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_fsm import has_transition_perm

from cac.attempts import AttemptResult
from cac.views import role_required, scoped
from callbacks import selectors, services
from callbacks.forms import AssignForm, AttemptForm, CancelForm, StatsFilterForm, WorklistFilterForm
from callbacks.models import OPEN_STATUSES, SUPERVISE, WORK, Kind, Status
from complaints.forms import add_service_errors

VIEW = "callbacks.view_callback"


@role_required(WORK)
@require_GET
def worklist(request):
    agent_id = None
    filter_form = None
    if request.user.has_perm(SUPERVISE):
        filter_form = WorklistFilterForm(request.GET or None, agents=selectors.callback_agent_list(user=request.user))
        if filter_form.is_valid() and filter_form.cleaned_data["agent"]:
            agent_id = filter_form.cleaned_data["agent"].pk
    now = timezone.now()
    rows = selectors.callback_worklist(user=request.user, now=now, agent_id=agent_id)
    context = {
        "rows": rows,
        "filter_form": filter_form,
        "now": now,
        "overdue_count": sum(1 for row in rows if row.is_overdue),
    }
    return render(request, "callbacks/worklist.html", context)


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
        context["attempt_form"] = forms.get("attempt") or AttemptForm(questions=questions)
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
    form = AttemptForm(request.POST, questions=services.questions_for(dealer=callback.dealer, kind=callback.kind))
    if form.is_valid():
        try:
            callback = services.callback_record_attempt(
                callback_id=callback.pk, acting_user=request.user, **form.service_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _after_attempt(request, callback, result=form.cleaned_data["result"])
    return _detail(request, callback_id, forms={"attempt": form})


def _after_attempt(request, callback, *, result: str):
    customer = callback.customer.name
    if callback.status == Status.COMPLETED:
        if callback.raised_complaint_id:
            messages.warning(
                request,
                _(
                    "Follow-up call with %(customer)s completed. The customer is dissatisfied: complaint %(number)s was opened."
                )
                % {"customer": customer, "number": callback.raised_complaint.number},
            )
            # The agent sees the new complaint at once, on the call's own page.
            return redirect("callbacks:detail", callback_id=callback.pk)
        messages.success(request, _("Follow-up call with %(customer)s completed.") % {"customer": customer})
        if callback.complaint_id:
            return redirect("callbacks:detail", callback_id=callback.pk)
    elif callback.status == Status.DECLINED:
        messages.info(
            request,
            _("%(customer)s declined phone follow-up: an SMS was sent and SMS is now their preferred channel.")
            % {"customer": customer},
        )
    elif callback.status == Status.UNREACHABLE:
        messages.warning(request, _("%(customer)s is unreachable: an SMS follow-up was sent.") % {"customer": customer})
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
