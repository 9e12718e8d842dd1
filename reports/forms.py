from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac.security.once import OnceFormMixin

ALL_DEALERS = "all"


class ReportRequestForm(OnceFormMixin, forms.Form):
    month = forms.CharField(
        label=_("Month"),
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("Any month, e.g. 2026-03."),
    )
    dealer = forms.ChoiceField(label=_("Dealer"))

    def __init__(self, *args, dealers, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(d.pk), str(d)) for d in dealers]
        if len(choices) > 1:
            choices.insert(0, (ALL_DEALERS, _("All my dealers")))
        self.fields["dealer"].choices = choices
        self.dealer_ids = [d.pk for d in dealers]

    def clean_month(self) -> date:
        value = self.cleaned_data["month"].strip()
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            first = date(year, month, 1)
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from exc
        if first > timezone.localdate():
            raise forms.ValidationError(_("The month cannot be in the future."))
        if year < 2000:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."))
        return first

    def selected_dealer_ids(self) -> list[int]:
        choice = self.cleaned_data["dealer"]
        return list(self.dealer_ids) if choice == ALL_DEALERS else [int(choice)]


class CorrectiveActionForm(OnceFormMixin, forms.Form):
    dealer = forms.ChoiceField(label=_("Dealer"))
    action = forms.CharField(
        label=_("Action"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What will be done to remove the cause, e.g. retrain the advisors on explaining the invoice."),
    )
    owner = forms.TypedChoiceField(label=_("Responsible"), coerce=int)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    complaints = forms.CharField(
        label=_("Complaints it answers"),
        required=False,
        max_length=2000,
        help_text=_("Complaint numbers, separated by spaces or commas."),
    )

    def __init__(self, *args, dealers, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].choices = [(str(d.pk), str(d)) for d in dealers]
        self.fields["owner"].choices = [("", "—"), *[(u.pk, u.get_full_name() or u.username) for u in owners]]

    def complaint_numbers(self) -> list[str]:
        return self.cleaned_data["complaints"].replace(",", " ").replace("，", " ").replace("、", " ").split()


class CorrectiveActionCloseForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
