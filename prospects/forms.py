"""Forms of the prospect screens. They validate what the user typed; prospects.services writes."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cac.desk.forms import DateInput, DateTimeInput, add_service_errors
from cac.desk.phones import normalize_mobile
from cac.models import Dealer
from cac.platform.attempts import AttemptResult
from cac.security.once import OnceFormMixin
from prospects.models import AppointmentKind, Grade, LostReason, Source, Status

__all__ = ["add_service_errors"]


class ProspectCreateForm(OnceFormMixin, forms.Form):
    """Quick capture: name, number, what they want. A number already known asks for confirmation."""

    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=60)
    phone = forms.CharField(label=_("Mobile phone"), max_length=30)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.PHONE)
    model_of_interest = forms.CharField(label=_("Intended model"), max_length=60, required=False)
    budget = forms.DecimalField(label=_("Budget (CNY)"), min_value=0, max_digits=12, decimal_places=0, required=False)
    grade = forms.ChoiceField(label=_("Intention level"), choices=Grade.choices, initial=Grade.B)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False, empty_label=_("Me"))
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    confirm_duplicate = forms.BooleanField(label=_("Capture anyway"), required=False)

    def __init__(self, *args, dealers, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = Dealer.objects.filter(pk__in=[dealer.pk for dealer in dealers])
        self.fields["owner"].queryset = owners
        if len(dealers) == 1:
            self.fields["dealer"].initial = dealers[0].pk
            self.fields["dealer"].widget = forms.HiddenInput()
            self.fields["dealer"].required = False
        self.only_dealer = dealers[0] if len(dealers) == 1 else None

    def clean_dealer(self):
        return self.cleaned_data.get("dealer") or self.only_dealer

    def clean_phone(self):
        return normalize_mobile(self.cleaned_data["phone"])


class ProspectEditForm(forms.Form):
    grade = forms.ChoiceField(label=_("Intention level"), choices=Grade.choices)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    model_of_interest = forms.CharField(label=_("Intended model"), max_length=60, required=False)
    budget = forms.DecimalField(label=_("Budget (CNY)"), min_value=0, max_digits=12, decimal_places=0, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class AttemptForm(OnceFormMixin, forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=[("", "---------"), *AttemptResult.choices])
    interested = forms.TypedChoiceField(
        label=_("Still interested?"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda value: value == "1",
        initial="1",
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class AppointmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Appointment"), choices=AppointmentKind.choices)
    at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput())
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class WinForm(forms.Form):
    vin = forms.CharField(
        label=_("VIN"), max_length=30, required=False, help_text=_("Leave empty if the car is not delivered yet.")
    )
    model = forms.CharField(label=_("Model"), max_length=60, required=False)
    plate = forms.CharField(label=_("Plate"), max_length=12, required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class LoseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Lost reason"), choices=[("", "---------"), *LostReason.choices])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class ArchiveForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


TRANSITION_FORMS = {"book_appointment": AppointmentForm, "win": WinForm, "lose": LoseForm, "archive": ArchiveForm}


def transition_form(action: str, data=None, *, prospect=None) -> forms.Form:
    """The form of a step; for a prospect, prefilled with what it already says (the won car is the intended model)."""
    initial = {"model": prospect.model_of_interest} if action == "win" and prospect is not None else None
    return TRANSITION_FORMS[action](data, prefix=action, initial=initial)


class ProspectFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or phone"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *Status.choices], required=False)
    grade = forms.ChoiceField(label=_("Intention level"), choices=[("", _("All")), *Grade.choices], required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", _("All")), *Source.choices], required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=Dealer.objects.none(), required=False)
    month = forms.CharField(label=_("Captured in (YYYY-MM)"), required=False, max_length=7)

    def __init__(self, *args, dealers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = Dealer.objects.filter(pk__in=[d.pk for d in dealers or []]).order_by("code")


class CampaignForm(OnceFormMixin, forms.Form):
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=None)
    name = forms.CharField(label=_("Campaign name"), max_length=100)
    models_text = forms.CharField(label=_("Models"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    message = forms.CharField(
        label=_("Message"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    model = forms.CharField(label=_("Intended model contains"), max_length=60, required=False)
    grade = forms.ChoiceField(label=_("Intention level"), choices=[("", _("All")), *Grade.choices], required=False)
    source = forms.ChoiceField(label=_("Source"), choices=[("", _("All")), *Source.choices], required=False)
    last_contact_before = forms.DateField(label=_("Last contact before"), required=False, widget=DateInput())

    def __init__(self, *args, dealers, **kwargs):
        super().__init__(*args, **kwargs)
        # `dealers` is the user's list, already fetched: one dealer needs no choice.
        self.fields["dealer"].queryset = Dealer.objects.filter(pk__in=[dealer.pk for dealer in dealers])
        if len(dealers) == 1:
            self.fields["dealer"].initial = dealers[0].pk
            self.fields["dealer"].widget = forms.HiddenInput()
            self.fields["dealer"].required = False
        self.only_dealer = dealers[0] if len(dealers) == 1 else None

    def clean_dealer(self):
        return self.cleaned_data.get("dealer") or self.only_dealer

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) or "" for name in ("model", "grade", "source")} | {
            "last_contact_before": data.get("last_contact_before")
        }
