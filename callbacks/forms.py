"""Forms of the follow-up call screens. They validate what the agent typed; callbacks.services writes."""

import re
from calendar import monthrange
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cac.desk.forms import DateInput
from cac.desk.vin import normalize_vin
from cac.models import Customer, Dealer, User, Vehicle
from cac.platform.attempts import AttemptResult
from cac.security.once import OnceFormMixin
from callbacks import selectors
from callbacks.models import SATISFIED_FROM, Kind, Question

SCORES = [(str(score), str(score)) for score in range(1, 6)]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
QUESTION_PREFIX = "q_"


class AttemptForm(OnceFormMixin, forms.Form):
    """One attempt of a follow-up call and, when the customer was reached, the call script's answers."""

    result = forms.ChoiceField(label=_("Result of the call"), choices=AttemptResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note on the attempt"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. switched off, asked to call after 18:00")}),
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Overall satisfaction"),
        choices=SCORES,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        help_text=_("1 very dissatisfied – 5 very satisfied. 3 or less opens a complaint."),
    )
    remarks = forms.CharField(
        label=_("Remarks"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the customer said, in their words."),
    )

    def __init__(self, *args, questions: list[Question], complaint_categories: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[self.field_name(question)] = self._question_field(question)
        if complaint_categories:
            # After a sale or a repair a dissatisfied answer opens a complaint: the caller says what it is about.
            self.fields["complaint_category"] = forms.ChoiceField(
                label=_("What is the customer dissatisfied with?"),
                choices=[("", "---------"), *complaint_categories],
                required=False,
                help_text=_("Only when the customer is dissatisfied: the category of the complaint it opens."),
            )

    @staticmethod
    def field_name(question: Question) -> str:
        return f"{QUESTION_PREFIX}{question.pk}"

    @staticmethod
    def _question_field(question: Question) -> forms.Field:
        # Answers are required only when the customer was reached: checked in clean().
        if question.answer_type == Question.AnswerType.SCORE:
            return forms.ChoiceField(
                label=question.localized_text, choices=SCORES, required=False, widget=forms.RadioSelect
            )
        if question.answer_type == Question.AnswerType.YES_NO:
            return forms.ChoiceField(
                label=question.localized_text, choices=YES_NO, required=False, widget=forms.RadioSelect
            )
        return forms.CharField(
            label=question.localized_text, max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
        )

    def question_fields(self):
        return [self[self.field_name(question)] for question in self.questions]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") != AttemptResult.REACHED:
            return cleaned
        if cleaned.get("satisfaction") is None:
            self.add_error("satisfaction", _("Record the customer's satisfaction from 1 to 5."))
        elif (
            "complaint_category" in self.fields
            and cleaned["satisfaction"] < SATISFIED_FROM
            and not cleaned.get("complaint_category")
        ):
            self.add_error("complaint_category", _("Choose what the customer is dissatisfied with."))
        for question in self.questions:
            name = self.field_name(question)
            if question.required and not str(cleaned.get(name) or "").strip() and name not in self.errors:
                self.add_error(name, _("Answer this question."))
        return cleaned

    def answers(self) -> dict[str, str | int]:
        """{question id: answer} of the questions answered; scores as numbers."""
        answers: dict[str, str | int] = {}
        for question in self.questions:
            value = (self.cleaned_data.get(self.field_name(question)) or "").strip()
            if not value:
                continue
            if question.answer_type == Question.AnswerType.SCORE:
                value = int(value)
            answers[str(question.pk)] = value
        return answers

    def service_data(self) -> dict:
        reached = self.cleaned_data["result"] == AttemptResult.REACHED
        return {
            "result": self.cleaned_data["result"],
            "note": self.cleaned_data["note"].strip(),
            "remarks": self.cleaned_data["remarks"].strip(),
            "satisfaction": self.cleaned_data.get("satisfaction") if reached else None,
            "answers": self.answers() if reached else None,
            "complaint_category": self.cleaned_data.get("complaint_category", "") if reached else "",
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. customer sold the car, duplicate")}),
    )


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("Give it to"), queryset=None, empty_label=None)

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


class WorklistFilterForm(forms.Form):
    """Supervisors: everyone's worklist, or one agent's."""

    agent = forms.ModelChoiceField(label=_("Agent"), queryset=None, required=False, empty_label=_("All agents"))

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


class StatsFilterForm(forms.Form):
    date_from = forms.DateField(label=_("Due from"), widget=DateInput())
    date_to = forms.DateField(label=_("Due until"), widget=DateInput())

    MAX_DAYS = 366

    @staticmethod
    def this_month() -> tuple[date, date]:
        today = timezone.localdate()
        return today.replace(day=1), today.replace(day=monthrange(today.year, today.month)[1])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end:
            if end < start:
                raise ValidationError({"date_to": _("The end comes before the start.")})
            if (end - start).days > self.MAX_DAYS:
                raise ValidationError({"date_to": _("Choose at most a year.")})
        return cleaned


class CallListForm(OnceFormMixin, forms.Form):
    """A campaign, recall or holiday-greeting call list: its name, kind and due date, and the filters that choose its
    customers among one dealer's. The filters alone make a preview; creating (`creating=True`) needs all three."""

    KINDS = {"campaign": Kind.CAMPAIGN, "recall": Kind.CAMPAIGN, "holiday": Kind.HOLIDAY}
    MAX_VINS = 2000
    FILTERS = ("model", "purchased_from", "purchased_to", "vins")

    name = forms.CharField(
        label=_("Name of the list"),
        max_length=50,  # the care_key is `holiday:` + the name's slug, at most 60 characters
        required=False,
        help_text=_("Each customer gets one call per list name: the same name again adds only new customers."),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 2026 air-conditioning check")}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of list"),
        choices=[("campaign", _("Campaign")), ("recall", _("Recall")), ("holiday", _("Holiday greeting"))],
        initial="campaign",
        required=False,
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())
    dealer = forms.ModelChoiceField(label=_("Dealer"), queryset=None, empty_label=None)
    model = forms.CharField(label=_("Vehicle model contains"), max_length=60, required=False)
    purchased_from = forms.DateField(label=_("Purchased from"), required=False, widget=DateInput())
    purchased_to = forms.DateField(label=_("Purchased until"), required=False, widget=DateInput())
    vins = forms.CharField(
        label=_("VINs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono text-uppercase"}),
        help_text=_("For a recall: paste the VINs, one per line."),
    )

    def __init__(self, *args, dealers: QuerySet[Dealer], several_dealers: bool, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.dealers = dealers
        if several_dealers:
            self.fields["dealer"].queryset = dealers
        else:
            del self.fields["dealer"]  # one dealer: nothing to choose

    def clean_vins(self) -> list[str]:
        vins, bad = [], []
        for raw in re.split(r"[\s,;]+", self.cleaned_data["vins"].upper()):
            if not raw:
                continue
            try:
                vin = normalize_vin(raw)
            except ValidationError as exc:
                bad.append(f"{raw}: {exc.messages[0]}")
                continue
            if vin not in vins:
                vins.append(vin)
        if bad:
            raise ValidationError(bad)
        if len(vins) > self.MAX_VINS:
            raise ValidationError(_("Paste at most %(limit)d VINs at a time."), params={"limit": self.MAX_VINS})
        return vins

    def clean(self):
        cleaned = super().clean()
        if "dealer" not in self.fields:
            cleaned["dealer"] = self.dealers.first()
            if cleaned["dealer"] is None:
                raise ValidationError(_("You are not given any dealer."))
        if "kind" not in self.errors:
            cleaned["kind"] = cleaned.get("kind") or "campaign"
        start, end = cleaned.get("purchased_from"), cleaned.get("purchased_to")
        if start and end and end < start:
            self.add_error("purchased_to", _("The end comes before the start."))
        due_on = cleaned.get("due_on")
        if due_on and due_on < timezone.localdate():
            self.add_error("due_on", _("The due date is in the past."))
        if self.creating:
            if not cleaned.get("name", "").strip():
                self.add_error("name", _("Give the list a name."))
            elif not slugify(cleaned["name"], allow_unicode=True):
                self.add_error("name", _("The name needs letters or digits."))
            if due_on is None and "due_on" not in self.errors:
                self.add_error("due_on", _("Choose the day the calls are due."))
        return cleaned

    @property
    def callback_kind(self) -> str:
        return self.KINDS[self.cleaned_data["kind"]]

    def vehicles(self, *, user: User) -> QuerySet[Vehicle]:
        return selectors.call_list_vehicles(user=user, dealer=self.cleaned_data["dealer"], filters=self.cleaned_data)

    def has_vehicle_filters(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.FILTERS)

    def customers(self, *, user: User) -> QuerySet[Customer]:
        return selectors.call_list_customers(
            user=user,
            dealer=self.cleaned_data["dealer"],
            filters=self.cleaned_data,
            by_vehicle=self.has_vehicle_filters(),
        )

    def unknown_vins(self, *, user: User) -> list[str]:
        return selectors.call_list_unknown_vins(
            user=user, dealer=self.cleaned_data["dealer"], vins=self.cleaned_data["vins"]
        )
