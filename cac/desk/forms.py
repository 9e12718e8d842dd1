"""Forms of the call desk. They validate and normalise; services write."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac.desk.phones import normalize_mobile, normalize_phone
from cac.desk.vin import normalize_vin
from cac.models import CallLog, Customer, Dealer, Vehicle
from cac.security.once import OnceFormMixin
from cac.security.uploads import AUDIO, upload_check

_DURATION = re.compile(r"^\s*(?:(\d{1,3})\s*[:：]\s*)?(\d{1,5})\s*$")


def add_service_errors(form: forms.Form, exc: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form: on the field it names when the form has it, else on top."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = field_map.get(name, name)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _accept_spelled_out(field: forms.CharField, max_length: int) -> None:
    """Let a field take a longer raw spelling (`+86 138-0013-8000`) than the normalised value the model stores.

    The form field was built with the model's max_length validator; the model still checks the cleaned value."""
    field.max_length = max_length
    field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
    field.validators.append(MaxLengthValidator(max_length))
    field.widget.attrs["maxlength"] = max_length


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DealerChoiceMixin:
    """Adds a dealer choice for staff of several dealers; hidden when the user has only one."""

    def _setup_dealer(self, dealers):
        self.fields["dealer"] = forms.ModelChoiceField(queryset=dealers, label=_("Dealer"), empty_label=None)
        only = list(dealers[:2])
        if len(only) == 1:
            self.fields["dealer"].initial = only[0].pk
            self.fields["dealer"].widget = forms.HiddenInput()


class CustomerForm(OnceFormMixin, DealerChoiceMixin, forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "name",
            "mobile",
            "other_phones",
            "preferred_channel",
            "consents_to_calls",
            "owner",
            "birthday",
            "address",
            "notes",
        ]
        widgets = {
            "birthday": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, dealers=None, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        _accept_spelled_out(self.fields["mobile"], 30)
        if staff is not None:
            self.fields["owner"].queryset = staff
        if dealers is not None and self.instance.pk is None:
            self._setup_dealer(dealers)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Enter the customer's name."))
        return name

    def clean_mobile(self):
        return normalize_mobile(self.cleaned_data["mobile"])

    def clean_other_phones(self):
        raw = self.cleaned_data.get("other_phones", "")
        numbers = [part for part in re.split(r"[,，;；/\n]+", raw) if part.strip()]
        return ",".join(normalize_phone(number) for number in numbers)

    def clean_birthday(self):
        birthday = self.cleaned_data.get("birthday")
        if birthday and not (birthday.year >= 1900 and birthday <= timezone.localdate()):
            raise ValidationError(_("Enter a birthday between 1900 and today."))
        return birthday

    def validate_unique(self):
        # The service reports a duplicate mobile number against the field.
        pass


class VehicleForm(OnceFormMixin, forms.ModelForm):
    class Meta:
        model = Vehicle
        fields = ["vin", "plate", "model", "purchase_date", "warranty_end", "insurance_expiry", "mileage"]
        widgets = {
            "purchase_date": DateInput(),
            "warranty_end": DateInput(),
            "insurance_expiry": DateInput(),
            "vin": forms.TextInput(attrs={"autocomplete": "off", "class": "text-uppercase"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _accept_spelled_out(self.fields["vin"], 30)

    def clean_vin(self):
        return normalize_vin(self.cleaned_data["vin"])

    def clean_plate(self):
        return re.sub(r"[\s·.-]", "", self.cleaned_data.get("plate", "")).upper()

    def clean(self):
        cleaned = super().clean()
        purchase, warranty = cleaned.get("purchase_date"), cleaned.get("warranty_end")
        if purchase and purchase > timezone.localdate():
            self.add_error("purchase_date", _("The purchase date cannot be in the future."))
        if purchase and warranty and warranty < purchase:
            self.add_error("warranty_end", _("The warranty cannot end before the purchase date."))
        return cleaned

    def validate_unique(self):
        pass


class DurationField(forms.CharField):
    """Accepts `3:25` (minutes:seconds) or a number of seconds."""

    default_error_messages = {
        "invalid": _("Enter the duration as minutes:seconds (e.g. 3:25) or as seconds."),
        "too_long": _("A call cannot last more than 6 hours."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 12:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        match = _DURATION.match(value)
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        minutes, seconds = match.groups()
        total = int(minutes) * 60 + int(seconds) if minutes is not None else int(seconds)
        if minutes is not None and int(seconds) >= 60:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if total > 6 * 60 * 60:
            raise ValidationError(self.error_messages["too_long"], code="too_long")
        return total


class CallForm(OnceFormMixin, DealerChoiceMixin, forms.Form):
    """Log a call. For an unknown number, `create_customer` saves the caller as a customer in the same step."""

    phone = forms.CharField(label=_("Phone number"), max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    direction = forms.ChoiceField(label=_("Direction"), choices=CallLog.Direction.choices, initial="in")
    purpose = forms.ChoiceField(label=_("Purpose"), choices=CallLog.Purpose.choices, initial="inquiry")
    started_at = forms.DateTimeField(label=_("Started at"), widget=DateTimeInput())
    duration = DurationField(
        label=_("Duration (m:ss)"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 12, "placeholder": "3:25"}),
    )
    summary = forms.CharField(label=_("What was said"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("Outcome"), max_length=500, required=False)
    callback_owed = forms.BooleanField(label=_("A call-back is owed"), required=False)
    recording = forms.FileField(label=_("Recording"), required=False)
    recording_url = forms.URLField(label=_("Recording link"), required=False, max_length=200, assume_scheme="https")
    # The phone system's callId when the call popped on the screen: the logged call is that call.
    external_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, dealers=None, unknown_caller=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.unknown_caller = unknown_caller
        if not self.is_bound:
            self.fields["started_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if unknown_caller:
            self._setup_dealer(dealers)
            self.fields["create_customer"] = forms.BooleanField(
                label=_("Save the caller as a new customer"), required=False, initial=True
            )
            self.fields["customer_name"] = forms.CharField(label=_("Customer name"), max_length=60, required=False)
            self.fields["preferred_channel"] = forms.ChoiceField(
                label=_("Preferred contact channel"), choices=Customer.ContactChannel.choices, initial="phone"
            )
            self.fields["consents_to_calls"] = forms.BooleanField(
                label=_("Consents to follow-up calls"), required=False, initial=True
            )
        else:
            self.fields["phone"].widget = forms.HiddenInput()

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_started_at(self):
        started_at = self.cleaned_data["started_at"]
        if started_at > timezone.now() + timezone.timedelta(minutes=5):
            raise ValidationError(_("A call cannot start in the future."))
        if started_at.year < 2000:
            raise ValidationError(_("Enter a date after the year 2000."))
        return started_at

    def clean_recording(self):
        upload = self.cleaned_data.get("recording")
        if upload:
            upload_check(upload, types=AUDIO, max_bytes=settings.RECORDING_MAX_BYTES)
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.unknown_caller and cleaned.get("create_customer"):
            name = (cleaned.get("customer_name") or "").strip()
            if not name:
                self.add_error("customer_name", _("Enter the caller's name to save them as a customer."))
            phone = cleaned.get("phone")
            if phone:
                try:
                    normalize_mobile(phone)
                except ValidationError:
                    self.add_error("phone", _("Only a mobile number can be saved as a customer's main number."))
        return cleaned

    def call_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "direction": data["direction"],
            "purpose": data["purpose"],
            "summary": data["summary"],
            "outcome": data.get("outcome", ""),
            "duration_seconds": data.get("duration"),
            "callback_owed": data.get("callback_owed", False),
            "recording": data.get("recording"),
            "recording_url": data.get("recording_url", ""),
            "external_id": data.get("external_id") or None,
            # The name the unknown caller gave is kept on the call, whether or not they become a customer.
            "caller_name": (data.get("customer_name") or "").strip() if self.unknown_caller else "",
        }

    def new_customer_fields(self) -> dict | None:
        data = self.cleaned_data
        if not (self.unknown_caller and data.get("create_customer")):
            return None
        return {
            "name": data["customer_name"].strip(),
            "mobile": data["phone"],
            "preferred_channel": data["preferred_channel"],
            "consents_to_calls": data.get("consents_to_calls", False),
        }

    def dealer(self, default: Dealer | None = None) -> Dealer | None:
        return self.cleaned_data.get("dealer", default)
