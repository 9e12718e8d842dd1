"""Forms for recording deliveries and repair orders by hand, and for the DMS CSV import. They validate; services
write."""

import base64
import binascii

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac.desk.forms import DateInput, DealerChoiceMixin
from cac.events.imports import KINDS, MAX_BYTES, PERMISSIONS
from cac.security.once import OnceFormMixin
from cac.security.uploads import CSV, upload_check


def _not_future(day):
    if day and day > timezone.localdate():
        raise ValidationError(_("This date is in the future."))
    return day


class _EventForm(OnceFormMixin, forms.Form):
    def __init__(self, *args, vehicles, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = vehicles
        staff_field = "consultant" if "consultant" in self.fields else "advisor"
        self.fields[staff_field].queryset = staff
        only = list(vehicles[:2])
        if len(only) == 1:
            self.fields["vehicle"].initial = only[0].pk


class SaleForm(_EventForm):
    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=None, empty_label=None)
    delivered_on = forms.DateField(label=_("Delivery date"), widget=DateInput())
    consultant = forms.ModelChoiceField(label=_("Sales consultant"), queryset=None, required=False)
    consultant_name = forms.CharField(
        label=_("Sales consultant (as in the DMS)"),
        max_length=60,
        required=False,
        help_text=_("When the consultant has no account here."),
    )

    def clean_delivered_on(self):
        return _not_future(self.cleaned_data.get("delivered_on"))


class ServiceVisitForm(_EventForm):
    order_number = forms.CharField(label=_("Repair order number"), max_length=30)
    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=None, empty_label=None)
    date_in = forms.DateField(label=_("Date in"), widget=DateInput())
    date_out = forms.DateField(label=_("Date out"), widget=DateInput(), required=False)
    mileage = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=2_000_000, required=False)
    advisor = forms.ModelChoiceField(
        label=_("Service advisor"),
        queryset=None,
        required=False,
        help_text=_("The advisor never makes the follow-up call of their own repair."),
    )
    advisor_name = forms.CharField(label=_("Service advisor (as in the DMS)"), max_length=60, required=False)
    fault = forms.CharField(label=_("Fault"), max_length=300, required=False)
    fault_code = forms.CharField(
        label=_("Fault code"), max_length=40, required=False, help_text=_("Same code = same fault, for the 三包 watch.")
    )
    work_done = forms.CharField(
        label=_("Work done"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_warranty = forms.BooleanField(label=_("Warranty repair"), required=False)
    is_rework = forms.BooleanField(label=_("Rework"), required=False)
    is_safety_fault = forms.BooleanField(label=_("Serious safety fault"), required=False)

    def clean_order_number(self):
        number = self.cleaned_data["order_number"].strip()
        if not number:
            raise ValidationError(_("Enter the repair order number."))
        return number

    def clean_date_in(self):
        return _not_future(self.cleaned_data.get("date_in"))

    def clean_date_out(self):
        return _not_future(self.cleaned_data.get("date_out"))

    def clean(self):
        cleaned = super().clean()
        date_in, date_out = cleaned.get("date_in"), cleaned.get("date_out")
        if date_in and date_out and date_out < date_in:
            self.add_error("date_out", _("The car cannot leave the workshop before it came in."))
        return cleaned


def _kind_choices(user):
    return [(kind, label) for kind, label in KINDS.items() if user.has_perm(PERMISSIONS[kind])]


class ImportForm(OnceFormMixin, DealerChoiceMixin, forms.Form):
    kind = forms.ChoiceField(label=_("File"), choices=())
    file = forms.FileField(label=_("CSV file"), help_text=_("Exported from the DMS: .csv, at most 5 MB."))

    def __init__(self, *args, user, dealers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices(user)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self._setup_dealer(dealers)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        upload_check(upload, types=CSV, max_bytes=MAX_BYTES)
        return upload


class ImportConfirmForm(OnceFormMixin, DealerChoiceMixin, forms.Form):
    """The second step: the checked file travels back with the page, so nothing is stored between the steps."""

    kind = forms.ChoiceField(choices=(), widget=forms.HiddenInput())
    filename = forms.CharField(max_length=200, required=False, widget=forms.HiddenInput())
    content = forms.CharField(widget=forms.HiddenInput(), max_length=MAX_BYTES * 4 // 3 + 8, strip=False)
    good_rows_only = forms.BooleanField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args, user, dealers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices(user)
        self._setup_dealer(dealers)
        self.fields["dealer"].widget = forms.HiddenInput()

    def clean_content(self):
        try:
            content = base64.b64decode(self.cleaned_data["content"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError(_("The file was damaged on the way; upload it again.")) from exc
        if not content or len(content) > MAX_BYTES:
            raise ValidationError(_("The file was damaged on the way; upload it again."))
        return content

    @staticmethod
    def encode(content: bytes) -> str:
        return base64.b64encode(content).decode("ascii")
