"""Forms of the complaint screens. They validate what the user typed; complaints.services writes."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cac.desk.forms import DateTimeInput, add_service_errors
from cac.models import CallLog, Vehicle
from cac.security.once import OnceFormMixin
from complaints.models import (
    MANAGER_CLOSE_KINDS,
    Attachment,
    AuthorityRequest,
    Category,
    Channel,
    CloseKind,
    Complaint,
    Department,
    Escalation,
    ResolutionType,
    RootCauseClass,
    Severity,
)
from complaints.services import attachment_validate


def _textarea(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class ComplaintCreateForm(OnceFormMixin, forms.Form):
    """Open a complaint (受理) for a customer found on the call desk."""

    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=None, required=False, empty_label=_("No vehicle"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.DEALER_HOTLINE)
    category = forms.ChoiceField(label=_("Category"), choices=[("", "---------"), *Category.choices])
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.NORMAL,
        help_text=_(
            "Major: strong dissatisfaction or a safety risk; the director is told at once. "
            "Emergency: fire, major new-car defect, accident or flood; the regional engineer is called."
        ),
    )
    department = forms.ChoiceField(
        label=_("Department"),
        choices=[("", _("From the category and channel")), *Department.choices],
        required=False,
        help_text=_(
            "Sales: anything about the showroom, a salesperson's attitude included; it goes to the showroom manager. "
            "Empty: purchases and sales follow-ups to sales, the rest to after-sales."
        ),
    )
    staff_involved = forms.ModelChoiceField(
        label=_("Staff member complained about (当事人)"),
        queryset=None,
        required=False,
        empty_label=_("Nobody named"),
    )
    received_at = forms.DateTimeField(label=_("Received at"), widget=DateTimeInput())
    description = forms.CharField(
        label=_("What happened"),
        max_length=5000,
        widget=_textarea(4),
        help_text=_("The facts, in the customer's words."),
    )
    demand = forms.CharField(
        label=_("What the customer wants (诉求)"), max_length=2000, required=False, widget=_textarea(2)
    )
    oem_reference = forms.CharField(
        label=_("OEM reference"),
        max_length=40,
        required=False,
        help_text=_("Only for complaints sent by the OEM CAC."),
    )

    def __init__(self, *args, vehicles, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vehicle"].queryset = vehicles
        self.fields["staff_involved"].queryset = staff
        if not self.is_bound and "received_at" not in self.initial:
            self.initial["received_at"] = timezone.localtime().replace(second=0, microsecond=0)

    @staticmethod
    def initial_for(*, vehicles: list[Vehicle], call: CallLog | None) -> dict:
        """Prefill from the desk: the customer's only vehicle, and what the call said, when and on which line."""
        initial = {}
        if len(vehicles) == 1:
            initial["vehicle"] = vehicles[0].pk
        if call is not None:
            inbound = call.direction == CallLog.Direction.INBOUND
            initial |= {
                "received_at": timezone.localtime(call.started_at).replace(second=0, microsecond=0),
                "description": call.summary,
                "channel": Channel.DEALER_HOTLINE if inbound else Channel.SERVICE_FOLLOW_UP,
            }
        return initial

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if not description:
            raise ValidationError(_("Describe what happened."))
        return description

    def clean_received_at(self):
        received_at = self.cleaned_data["received_at"]
        if received_at > timezone.now() + timezone.timedelta(minutes=5):
            raise ValidationError(_("A complaint cannot be received in the future."))
        if received_at.year < 2000:
            raise ValidationError(_("Enter a date after the year 2000."))
        return received_at

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "vehicle": data.get("vehicle"),
            "channel": data["channel"],
            "category": data["category"],
            "severity": data["severity"],
            "received_at": data["received_at"],
            "description": data["description"],
            "demand": data.get("demand", "").strip(),
            "oem_reference": data.get("oem_reference", "").strip(),
            "department": data.get("department") or "",
            "staff_involved": data.get("staff_involved"),
        }


class IdentifyForm(forms.Form):
    """The manager's 识别 (seed 003 §5): category, department, severity, channel and the staff member complained
    about, corrected after intake with the reason; the deadlines and the routing follow."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    department = forms.ChoiceField(label=_("Department"), choices=Department.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    staff_involved = forms.ModelChoiceField(
        label=_("Staff member complained about (当事人)"),
        queryset=None,
        required=False,
        empty_label=_("Nobody named"),
    )
    reason = forms.CharField(
        label=_("Why the correction"),
        max_length=2000,
        widget=_textarea(2),
        help_text=_(
            "Kept in the history with your name. The deadlines still running are computed again from when their "
            "clock started: the receipt, or the last reopening."
        ),
    )

    def __init__(self, *args, staff, **kwargs):
        kwargs.setdefault("prefix", "identify")
        super().__init__(*args, **kwargs)
        self.fields["staff_involved"].queryset = staff

    @staticmethod
    def initial_for(complaint: Complaint) -> dict:
        return {
            "category": complaint.category,
            "department": complaint.department,
            "severity": complaint.severity,
            "channel": complaint.channel,
            "staff_involved": complaint.staff_involved_id,
        }

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Say why the complaint is corrected."))
        return reason

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.fields}


class AuthorityRequestForm(OnceFormMixin, forms.Form):
    """Ask the OEM region for what exceeds the dealer's authority (seed 000 §五.7)."""

    kind = forms.ChoiceField(
        label=_("Authorisation asked for"), choices=[("", "---------"), *AuthorityRequest.Kind.choices]
    )
    request = forms.CharField(
        label=_("What is asked of the OEM region"),
        max_length=2000,
        widget=_textarea(3),
        help_text=_(
            "The amount, the days of rental car, the part, the third party … and why the dealer cannot decide."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "authority")
        super().__init__(*args, **kwargs)


class AuthorityAnswerForm(forms.Form):
    """The OEM region's answer to one request, as a manager records it."""

    answer = forms.ChoiceField(
        label=_("The region's answer"), choices=[("", "---------"), *AuthorityRequest.Answer.choices]
    )
    answer_note = forms.CharField(label=_("What the region answered"), max_length=2000, widget=_textarea(2))

    def __init__(self, *args, request_id: int, **kwargs):
        kwargs.setdefault("prefix", f"answer-{request_id}")
        super().__init__(*args, **kwargs)
        self.request_id = request_id


# --- One small form per step of the state machine ---------------------------------------------------------------


class TransitionForm(forms.Form):
    """The note every step keeps in the history. Subclasses ask for what their step needs."""

    note_label = _("Note")
    note_required = False
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=_textarea(2))

    def __init__(self, *args, action: str, **kwargs):
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["note"].label = self.note_label
        self.fields["note"].required = self.note_required

    def clean_note(self):
        note = self.cleaned_data.get("note", "").strip()
        if self.note_required and not note:
            raise ValidationError(_("This field is required."))
        return note

    def service_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")} | {
            "note": self.cleaned_data.get("note", "")
        }


class AcknowledgeForm(TransitionForm):
    answer_promised_at = forms.DateTimeField(
        label=_("Answer promised to the customer by"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("When the customer was told to expect the countermeasure; empty: the resolution deadline."),
    )
    field_order = ["answer_promised_at", "note"]


class CountermeasureForm(TransitionForm):
    root_cause_class = forms.ChoiceField(
        label=_("Cause class"),
        choices=[("", "---------"), *RootCauseClass.choices],
        help_text=_("People, organisation, technical, product or price."),
    )
    root_cause = forms.CharField(label=_("Root cause"), max_length=3000, widget=_textarea(2))
    countermeasure = forms.CharField(
        label=_("Countermeasure"),
        max_length=3000,
        widget=_textarea(2),
        help_text=_("The option agreed with the customer (repair, rework, part, refund, compensation, explanation …)."),
    )
    field_order = ["root_cause_class", "root_cause", "countermeasure", "note"]


class ResolveForm(TransitionForm):
    note_label = _("What was done for the customer")
    note_required = True
    resolution_type = forms.ChoiceField(label=_("Resolution"), choices=[("", "---------"), *ResolutionType.choices])
    compensation_amount = forms.DecimalField(
        label=_("Compensation amount (CNY)"),
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("Only for a compensation."),
    )
    field_order = ["resolution_type", "note", "compensation_amount"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("resolution_type") == ResolutionType.COMPENSATION and not cleaned.get("compensation_amount"):
            self.add_error("compensation_amount", _("Enter the compensation amount."))
        return cleaned


class CloseByManagerForm(TransitionForm):
    """Closing without a satisfied follow-up call: only for the reasons seed 000 allows, each counted apart."""

    note_label = _("Reason")
    note_required = True
    close_kind = forms.ChoiceField(
        label=_("Why close without a satisfied follow-up?"),
        choices=[("", "---------"), *[(kind.value, kind.label) for kind in map(CloseKind, MANAGER_CLOSE_KINDS)]],
    )
    field_order = ["close_kind", "note"]


class ReasonForm(TransitionForm):
    note_label = _("Reason")
    note_required = True


class ReopenForm(TransitionForm):
    note_label = _("Why is the customer not satisfied?")


TRANSITION_FORMS: dict[str, type[TransitionForm]] = {
    "acknowledge": AcknowledgeForm,
    "propose_countermeasure": CountermeasureForm,
    "resolve": ResolveForm,
    "close_by_manager": CloseByManagerForm,
    "cancel": ReasonForm,
    "reopen": ReopenForm,
}


def transition_form(action: str, data=None) -> TransitionForm:
    return TRANSITION_FORMS.get(action, TransitionForm)(data, action=action)


# --- Escalate, assign, evidence, dispatch, details --------------------------------------------------------------


class EscalateForm(OnceFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "---------"), *Escalation.Reason.choices])
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=_textarea(2))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "escalate")
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Handler"), queryset=None, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )

    def __init__(self, *args, handlers, **kwargs):
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = handlers


class BulkAssignForm(forms.Form):
    complaints = forms.ModelMultipleChoiceField(
        label=_("Complaints"),
        queryset=None,
        error_messages={"required": _("Tick the complaints to assign.")},
    )
    owner = forms.ModelChoiceField(label=_("Handler"), queryset=None)

    def __init__(self, *args, complaints, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complaints"].queryset = complaints
        self.fields["owner"].queryset = handlers


class ResponsibleForm(forms.Form):
    responsible = forms.ModelChoiceField(label=_("Responsible person"), queryset=None)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = staff


class AttachmentForm(OnceFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Attachment.Kind.choices)
    file = forms.FileField(label=_("File"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "attachment")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") and cleaned.get("file"):
            try:
                attachment_validate(kind=cleaned["kind"], upload=cleaned["file"])
            except ValidationError as exc:
                add_service_errors(self, exc)
        return cleaned


class DispatchForm(forms.Form):
    """The regional engineer called for an emergency (紧急事故): who, when, promised and actual arrival, appraisal."""

    engineer = forms.CharField(label=_("Engineer called"), max_length=60, required=False)
    called_at = forms.DateTimeField(label=_("Called at"), required=False, widget=DateTimeInput())
    promised_arrival_at = forms.DateTimeField(label=_("Promised arrival"), required=False, widget=DateTimeInput())
    arrived_at = forms.DateTimeField(label=_("Arrived at"), required=False, widget=DateTimeInput())
    appraisal_result = forms.CharField(
        label=_("Appraisal result"), max_length=3000, required=False, widget=_textarea(3)
    )

    def clean(self):
        cleaned = super().clean()
        called, promised, arrived = (
            cleaned.get("called_at"),
            cleaned.get("promised_arrival_at"),
            cleaned.get("arrived_at"),
        )
        if called and promised and promised < called:
            self.add_error("promised_arrival_at", _("The promised arrival cannot be before the call."))
        if called and arrived and arrived < called:
            self.add_error("arrived_at", _("The engineer cannot arrive before being called."))
        if arrived and arrived > timezone.now() + timezone.timedelta(minutes=5):
            self.add_error("arrived_at", _("The arrival cannot be in the future."))
        return cleaned


class ComplaintDetailsForm(forms.Form):
    DETAIL_FIELDS = (
        "description",
        "demand",
        "is_abnormal",
        "abnormal_reason",
        "oem_reference",
        "oem_status_reported_at",
        "oem_result_reported_at",
        "prevention_measure",
    )

    description = forms.CharField(label=_("What happened"), max_length=5000, widget=_textarea(4))
    demand = forms.CharField(
        label=_("What the customer wants (诉求)"), max_length=2000, required=False, widget=_textarea(2)
    )
    is_abnormal = forms.BooleanField(
        label=_("Abnormal complaint (非正常投诉)"),
        required=False,
        help_text=_("Escalating claims, no evidence, media pressure: keep the evidence and handle it by law."),
    )
    abnormal_reason = forms.CharField(label=_("Why abnormal"), max_length=2000, required=False, widget=_textarea(2))
    oem_reference = forms.CharField(label=_("OEM reference"), max_length=40, required=False)
    oem_status_reported_at = forms.DateTimeField(
        label=_("Status reported to the OEM at"), required=False, widget=DateTimeInput()
    )
    oem_result_reported_at = forms.DateTimeField(
        label=_("Result reported to the OEM at"), required=False, widget=DateTimeInput()
    )
    prevention_measure = forms.CharField(
        label=_("Prevention measure"), max_length=3000, required=False, widget=_textarea(2)
    )

    @classmethod
    def initial_for(cls, complaint: Complaint) -> dict:
        return {name: getattr(complaint, name) for name in cls.DETAIL_FIELDS}

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if not description:
            raise ValidationError(_("Describe what happened."))
        return description

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_abnormal") and not (cleaned.get("abnormal_reason") or "").strip():
            self.add_error("abnormal_reason", _("Say why this complaint is abnormal."))
        for name in ("oem_status_reported_at", "oem_result_reported_at"):
            value = cleaned.get(name)
            if value and value > timezone.now() + timezone.timedelta(minutes=5):
                self.add_error(name, _("A report cannot be in the future."))
        return cleaned

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.DETAIL_FIELDS}
        for name in ("demand", "abnormal_reason", "oem_reference", "prevention_measure"):
            fields[name] = (fields[name] or "").strip()
        return fields
