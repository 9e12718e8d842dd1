"""What each role finds at `/`: the executives and directors their dashboard (reports.views.dashboard), the service
and showroom managers their department's queue health, the agents the call desk with their day (cac.root.today),
the administrators the call desk as it was.

Every figure carries the address of the list that makes it, filtered the same way, and each is counted by the
selector or filter that list uses, so that the figure and the list's count cannot disagree. The figures read the
workflows, which the core does not; hence the composition root."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cac import roles
from cac.desk import views as desk_views
from cac.desk.selectors import dealer_ids
from cac.models import User
from cac.platform.views import role_required
from cac.platform.zones import dealers_zone
from callbacks import selectors as callback_selectors
from complaints import selectors as complaint_selectors
from complaints.deadlines import DeadlineState
from complaints.models import OPEN_STATUSES, Department
from reports import views as reports_views

HOME_DESK, HOME_AGENT, HOME_MANAGER, HOME_DASHBOARD = "desk", "agent", "manager", "dashboard"
# Who oversees the whole centre lands on the dashboard; the call desk stays at /desk/ for them.
_DASHBOARD_ROLES = {roles.DIRECTOR, roles.EXECUTIVE}
_DESK_ROLES = {roles.ADMIN}
_MANAGER_ROLES = {roles.SERVICE_MANAGER, roles.SALES_MANAGER}


def home_of(user: User) -> str:
    """The home a user's roles give: a director or executive with the dashboard lands on it whatever else they hold,
    a service or showroom manager gets the managers' home; an agent the desk with their day."""
    names = roles.role_names(user)
    if names & _DASHBOARD_ROLES and user.has_perm("reports.view_dashboard"):
        return HOME_DASHBOARD
    if user.is_superuser or names & _DESK_ROLES:
        return HOME_DESK
    if names & _MANAGER_ROLES:
        return HOME_MANAGER
    if roles.AGENT in names:
        return HOME_AGENT
    return HOME_DESK


@dataclass(frozen=True)
class Figure:
    """One number of a home and the list it comes from (`url`); `key` names it in the page and in the tests."""

    key: str
    label: str
    value: int
    url: str


def list_url(name: str, **params) -> str:
    query = {key: value for key, value in params.items() if value not in (None, "")}
    return reverse(name) + ("?" + urlencode(query) if query else "")


@dataclass(frozen=True)
class ManagerHome:
    departments: list[str]
    now: datetime
    deadlines: list[Figure]
    ages: list[Figure]
    workload: list[Figure]
    follow_ups_overdue: list[Figure]
    follow_ups_overdue_total: Figure
    escalated_today: Figure

    @property
    def figures(self) -> list[Figure]:
        return [
            *self.deadlines,
            *self.ages,
            *self.workload,
            *self.follow_ups_overdue,
            self.follow_ups_overdue_total,
            self.escalated_today,
        ]


def _handler_label(row: dict) -> str:
    if row["owner"] is None:
        return str(_("No handler yet"))
    # The same spelling as User.__str__, without loading the users.
    return str(
        User(username=row["owner__username"], first_name=row["owner__first_name"], last_name=row["owner__last_name"])
    )


def manager_home(*, user: User, now: datetime | None = None) -> ManagerHome:
    """The queue health of the departments the user manages (complaints.selectors.triage_departments), at the
    user's dealers: open complaints breached and due soon (the triage board's deadline states), by age in the
    dealers' days, by handler; the follow-up calls overdue per agent (the worklist's rule); the complaints
    escalated today. A fixed number of queries whatever the data."""
    now = now or timezone.now()
    zone = dealers_zone(dealer_ids(user=user))
    departments = complaint_selectors.triage_departments(user=user)
    # One department is a filter of the list; both (there are two) are no filter at all.
    department = departments[0] if len(departments) == 1 else None
    complaints = complaint_selectors.complaint_list(user=user).filter(department__in=departments).order_by()
    open_complaints = complaints.filter(status__in=OPEN_STATUSES)
    base = {"status": "open", "department": department}

    deadline_labels = {DeadlineState.BREACHED: _("Breached now"), DeadlineState.DUE_SOON: _("At risk now (due soon)")}
    counts = open_complaints.aggregate(
        **{
            state: Count("pk", filter=complaint_selectors.complaint_deadline_q(state, now=now))
            for state in deadline_labels
        },
        **{
            bucket: Count("pk", filter=complaint_selectors.complaint_age_q(bucket, now=now, zone=zone))
            for bucket in complaint_selectors.AgeBucket.DAYS
        },
    )
    deadlines = [
        Figure(
            key=f"deadline-{state}",
            label=str(deadline_labels[state]),
            value=counts[state],
            url=list_url("complaints:list", **base, deadline=state),
        )
        for state in deadline_labels
    ]
    ages = [
        Figure(
            key=f"age-{bucket}",
            label=str(label),
            value=counts[bucket],
            url=list_url("complaints:list", **base, age=bucket),
        )
        for bucket, label in complaint_selectors.AgeBucket.LABELS.items()
    ]
    by_handler = (
        open_complaints.values("owner", "owner__username", "owner__first_name", "owner__last_name")
        .annotate(count=Count("pk"))
        .order_by("-count", "owner__first_name", "owner__username")
    )
    workload = [
        Figure(
            key=f"handler-{row['owner'] or 'none'}",
            label=_handler_label(row),
            value=row["count"],
            url=list_url("complaints:list", **base, owner=row["owner"] or "null"),
        )
        for row in by_handler
    ]
    follow_ups = callback_selectors.worklist_overdue_by_agent(user=user, now=now, zone=zone)
    overdue = [
        Figure(
            key=f"follow-ups-overdue-{agent.pk}",
            label=str(agent),
            value=count,
            url=list_url("callbacks:worklist", agent=agent.pk, tab="late"),
        )
        for agent, count in follow_ups.by_agent
    ]
    overdue_total = Figure(
        key="follow-ups-overdue",
        label=str(_("Follow-ups overdue")),
        value=follow_ups.total,
        url=list_url("callbacks:worklist", tab="late"),
    )
    today = timezone.localtime(now, zone).date()
    escalated = Figure(
        key="escalated-today",
        label=str(_("Escalated today")),
        value=complaints.filter(complaint_selectors.escalated_on_q(today, zone=zone)).count(),
        url=list_url("complaints:list", department=department, escalated_on=today.isoformat()),
    )
    return ManagerHome(
        departments=[str(Department(value).label) for value in departments],
        now=now,
        deadlines=deadlines,
        ages=ages,
        workload=workload,
        follow_ups_overdue=overdue,
        follow_ups_overdue_total=overdue_total,
        escalated_today=escalated,
    )


@role_required("cac.view_customer")
@require_GET
def home(request):
    """`/`: the home of the user's role (home_of)."""
    home_kind = home_of(request.user)
    if home_kind == HOME_DASHBOARD:
        return reports_views.dashboard(request)
    if home_kind == HOME_MANAGER:
        return render(request, "cac/home_manager.html", {"home": manager_home(user=request.user)})
    return desk_views.desk(request)
