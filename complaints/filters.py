"""Filters of the complaint list (django-filter); the deadline state uses the selectors' one definition."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac.desk.forms import DateInput
from cac.desk.phones import phone_digits
from cac.models import Customer, Dealer, Vehicle
from cac.platform.zones import dealers_zone, month_bounds, parse_month
from complaints import figures
from complaints.deadlines import DeadlineState
from complaints.models import OPEN_STATUSES, Category, Channel, Complaint, Department, Severity, Status
from complaints.selectors import AgeBucket, complaint_age_q, complaint_filter_deadline, escalated_on_q

OPEN = "open"
ANY = _("Any")

# The figures of a month (the monthly report's and the dashboard's), each the list a figure links to:
# `?month=2026-03&figure=resolved_on_time` lists exactly what the figure counts (complaints.figures).
MONTH_FIGURES = [
    ("received", _("Received in the month")),
    ("open", _("Open at the month's end (now, for this month)")),
    ("closed", _("Closed in the month")),
    ("acknowledged_on_time", _("Received in the month and acknowledged on time")),
    ("resolved", _("Resolved in the month")),
    ("resolved_on_time", _("Resolved in the month within the deadline")),
    ("reopened_closed", _("Closed in the month after a reopening")),
    ("escalated", _("Escalated in the month")),
    ("major", _("Major, received in the month")),
    ("emergency", _("Emergency, received in the month")),
    ("oem_status_on_time", _("OEM same-day status report on time")),
    ("oem_result_on_time", _("OEM 3-day result report on time")),
]


def month_figure_condition(figure: str, start, end) -> Q | None:
    """The condition of a month's figure (None for the OEM reports, whose deadlines come from the calendar)."""
    received = figures.received_in(start, end)
    return {
        "received": received,
        "open": figures.open_at(end),
        "closed": figures.closed_in(start, end),
        "acknowledged_on_time": received & figures.countable() & figures.acknowledged_on_time(),
        "resolved": figures.resolved_in(start, end),
        "resolved_on_time": figures.resolved_in(start, end) & figures.resolved_on_time(),
        "reopened_closed": figures.closed_in(start, end) & figures.reopened(),
        "escalated": figures.escalated_in(start, end),
        "major": received & figures.of_severity(Severity.MAJOR),
        "emergency": received & figures.of_severity(Severity.EMERGENCY),
    }.get(figure)


class ComplaintFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number, customer or plate"), method="filter_q")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[(OPEN, _("All open")), *Status.choices], method="filter_status", empty_label=ANY
    )
    deadline = django_filters.ChoiceFilter(
        label=_("Deadline"),
        choices=[(state, label) for state, label in DeadlineState.LABELS.items()],
        method="filter_deadline",
        empty_label=ANY,
    )
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Channel.choices, empty_label=ANY)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices, empty_label=ANY)
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices, empty_label=ANY)
    department = django_filters.ChoiceFilter(label=_("Department"), choices=Department.choices, empty_label=ANY)
    owner = django_filters.ModelChoiceFilter(
        label=_("Handler"), queryset=None, empty_label=ANY, null_label=_("No handler yet")
    )
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=list(AgeBucket.LABELS.items()), method="filter_age", empty_label=ANY
    )
    escalated_on = django_filters.DateFilter(label=_("Escalated on"), method="filter_escalated_on", widget=DateInput())
    received_from = django_filters.DateFilter(
        label=_("Received from"), field_name="received_at", lookup_expr="date__gte", widget=DateInput()
    )
    received_to = django_filters.DateFilter(
        label=_("Received to"), field_name="received_at", lookup_expr="date__lte", widget=DateInput()
    )
    dealer = django_filters.ModelChoiceFilter(label=_("Dealer"), queryset=Dealer.objects.none(), empty_label=ANY)
    month = django_filters.CharFilter(label=_("Month (YYYY-MM)"), method="filter_month")
    figure = django_filters.ChoiceFilter(
        label=_("Figure of the month"), choices=MONTH_FIGURES, method="filter_month", empty_label=ANY
    )

    class Meta:
        model = Complaint
        fields = []

    def __init__(self, *args, staff=None, dealer_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = staff
        self.dealer_ids = dealer_ids
        self.filters["dealer"].queryset = Dealer.objects.filter(pk__in=dealer_ids or []).order_by("code")

    def filter_q(self, queryset, name, value):
        value = value.replace("\x00", "").strip()
        if not value:
            return queryset
        digits = phone_digits(value)
        # The customers and vehicles that match are found among the dealers' own first, each in one subquery: joined
        # row by row, the planner reads every customer of the group to find a name.
        customers = Customer.objects.filter(name__icontains=value)
        vehicles = Vehicle.objects.filter(plate__icontains=value.replace(" ", ""))
        if digits and digits.isdigit() and len(digits) >= 3:
            customers = Customer.objects.filter(Q(name__icontains=value) | Q(mobile__startswith=digits))
        if self.dealer_ids is not None:
            customers = customers.filter(dealer_id__in=self.dealer_ids)
            vehicles = vehicles.filter(dealer_id__in=self.dealer_ids)
        condition = (
            Q(number__icontains=value)
            | Q(oem_reference__icontains=value)
            | Q(customer_id__in=customers.values("pk"))
            | Q(vehicle_id__in=vehicles.values("pk"))
        )
        return queryset.filter(condition)

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def filter_deadline(self, queryset, name, value):
        return complaint_filter_deadline(queryset, value)

    def filter_month(self, queryset, name, value):
        """`month` and `figure` together: what the figure of that month counts, in the zone of the dealers listed
        (the one chosen, else all of the user's), as the figure itself is counted. A month alone: received in it."""
        data = self.form.cleaned_data
        month = parse_month(data.get("month"))
        if month is None or (name == "month" and data.get("figure")):
            return queryset  # the figure's filter applies both, once
        dealer = data.get("dealer")
        start, end = month_bounds(month, dealers_zone([dealer.pk] if dealer else self.dealer_ids or []))
        figure = data.get("figure") or "received"
        if figure in ("oem_status_on_time", "oem_result_on_time"):
            within = queryset.filter(figures.received_in(start, end))
            report = figure.split("_")[1]
            return queryset.filter(pk__in=figures.oem_on_time_ids(within, report=report))
        return queryset.filter(month_figure_condition(figure, start, end))

    def _zone(self):
        # The days of the user's dealers (the list passes their ids); the CAC's zone when there are none.
        return dealers_zone(self.dealer_ids or [])

    def filter_age(self, queryset, name, value):
        return queryset.filter(complaint_age_q(value, now=timezone.now(), zone=self._zone()))

    def filter_escalated_on(self, queryset, name, value):
        return queryset.filter(escalated_on_q(value, zone=self._zone()))


class TriageFilter(ComplaintFilter):
    """The triage board's filters: the search of the list, handler, category, severity and channel (the board
    itself decides which statuses and deadlines it shows)."""

    FIELDS = ("q", "owner", "category", "severity", "channel")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.filters):
            if name not in self.FIELDS:
                del self.filters[name]
