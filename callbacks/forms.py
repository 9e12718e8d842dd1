"""Forms of the follow-up call screens. They validate what the agent typed; callbacks.services writes."""

from calendar import monthrange
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac.attempts import AttemptResult
from cac.forms import DateInput
from callbacks.models import Question

SCORES = [(str(score), str(score)) for score in range(1, 6)]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
QUESTION_PREFIX = "q_"


class AttemptForm(forms.Form):
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

    def __init__(self, *args, questions: list[Question], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[self.field_name(question)] = self._question_field(question)

    @staticmethod
    def field_name(question: Question) -> str:
        return f"{QUESTION_PREFIX}{question.pk}"

    @staticmethod
    def _question_field(question: Question) -> forms.Field:
        # Answers are required only when the customer was reached: checked in clean().
        if question.answer_type == Question.AnswerType.SCORE:
            return forms.ChoiceField(label=question.text, choices=SCORES, required=False, widget=forms.RadioSelect)
        if question.answer_type == Question.AnswerType.YES_NO:
            return forms.ChoiceField(label=question.text, choices=YES_NO, required=False, widget=forms.RadioSelect)
        return forms.CharField(
            label=question.text, max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
        )

    def question_fields(self):
        return [self[self.field_name(question)] for question in self.questions]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result") != AttemptResult.REACHED:
            return cleaned
        if cleaned.get("satisfaction") is None:
            self.add_error("satisfaction", _("Record the customer's satisfaction from 1 to 5."))
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
