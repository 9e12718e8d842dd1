"""Filters of the complaint list (django-filter); the deadline state uses the selectors' one definition."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac.desk.forms import DateInput
from cac.desk.phones import phone_digits
from cac.models import Customer, Vehicle
from cac.platform.zones import dealers_zone
from complaints.deadlines import DeadlineState
from complaints.models import OPEN_STATUSES, Category, Channel, Complaint, Department, Severity, Status
from complaints.selectors import AgeBucket, complaint_age_q, complaint_filter_deadline, escalated_on_q

OPEN = "open"
ANY = _("Any")


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

    class Meta:
        model = Complaint
        fields = []

    def __init__(self, *args, staff=None, dealer_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = staff
        self.dealer_ids = dealer_ids

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
