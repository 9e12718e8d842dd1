import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cac.desk.forms import DateInput
from cac.desk.phones import phone_digits
from cac.models import CallLog, Customer
from cac.platform.attempts import Slot, slot_bounds


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or phone"), method="filter_q")
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=None)

    class Meta:
        model = Customer
        fields = ["q", "owner", "preferred_channel"]

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = staff
        self.filters["preferred_channel"].label = _("Preferred contact channel")

    def filter_q(self, queryset, name, value):
        value = value.strip()
        digits = phone_digits(value)
        if digits and digits.isdigit() and not any(ch.isalpha() for ch in value):
            return queryset.filter(Q(mobile__startswith=digits) | Q(other_phones__contains=digits))
        return queryset.filter(name__icontains=value)


class CallFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="started_at", lookup_expr="date__gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="started_at", lookup_expr="date__lte", widget=DateInput()
    )
    phone = django_filters.CharFilter(label=_("Phone"), method="filter_phone")
    handled_by = django_filters.ModelChoiceFilter(label=_("Handled by"), queryset=None)
    slot = django_filters.ChoiceFilter(label=_("Call slot"), choices=Slot.choices, method="filter_slot")

    class Meta:
        model = CallLog
        fields = ["date_from", "date_to", "direction", "purpose", "callback_owed", "handled_by", "phone", "slot"]

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["handled_by"].queryset = staff
        self.filters["direction"].label = _("Direction")
        self.filters["purpose"].label = _("Purpose")
        self.filters["callback_owed"].label = _("Call-back owed")

    def filter_phone(self, queryset, name, value):
        digits = phone_digits(value)
        return queryset.filter(phone__startswith=digits) if digits else queryset

    def filter_slot(self, queryset, name, value):
        return queryset.filter(call_slot_q(value))


def call_slot_q(slot: str) -> Q:
    """Calls started in a call slot's hours of the day (cac.platform.attempts), in the same time zone as the date
    filters (the current one: the CAC's)."""
    for name, start, end in slot_bounds():
        if name == slot:
            return Q(started_at__time__gte=start, started_at__time__lt=end)
    return Q()
