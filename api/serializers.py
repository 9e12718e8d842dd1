"""What the API takes and gives. Input serializers refuse fields they do not know."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cac.models import CallLog
from complaints.models import Category, Channel, Severity, Status
from prospects.models import Grade


class StrictSerializer(serializers.Serializer):
    """Refuses unknown fields by name, and a body that is not a JSON object."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"detail": [_("Send a JSON object.")]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


def _text(max_length: int, *, required: bool = False, **kwargs):
    return serializers.CharField(
        max_length=max_length, required=required, allow_blank=not required, trim_whitespace=True, **kwargs
    )


# --- Customers --------------------------------------------------------------------------------------------------


class VehicleOut(serializers.Serializer):
    id = serializers.IntegerField()
    vin = serializers.CharField()
    plate = serializers.CharField()
    model = serializers.CharField()
    purchase_date = serializers.DateField(allow_null=True)
    warranty_end = serializers.DateField(allow_null=True)


class CustomerOut(serializers.Serializer):
    id = serializers.IntegerField()
    dealer = serializers.CharField(source="dealer.code")
    name = serializers.CharField()
    mobile = serializers.CharField()
    preferred_channel = serializers.CharField()
    consents_to_calls = serializers.BooleanField()


class ComplaintBriefOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    received_at = serializers.DateTimeField()
    resolve_due_at = serializers.DateTimeField()


class FollowUpOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    due_at = serializers.DateTimeField()


class CustomerSummaryOut(serializers.Serializer):
    customer = CustomerOut()
    vehicles = VehicleOut(many=True, source="customer.vehicles.all")
    open_complaints = ComplaintBriefOut(many=True)
    follow_ups_owed = FollowUpOut(many=True)


class CustomerLookupOut(serializers.Serializer):
    results = CustomerOut(many=True)


# --- Calls ------------------------------------------------------------------------------------------------------


class CallIn(StrictSerializer):
    dealer = _text(12, help_text="The dealer's code; needed only when the key serves several dealers.")
    callId = _text(64, help_text="The CTI server's id of the call: the same id returns the same call.")  # noqa: N815
    phone = _text(40, required=True)
    started_at = serializers.DateTimeField()
    direction = serializers.ChoiceField(choices=CallLog.Direction.choices, required=False)
    purpose = serializers.ChoiceField(choices=CallLog.Purpose.choices, required=False)
    summary = _text(4000)
    outcome = _text(500)
    duration_seconds = serializers.IntegerField(min_value=0, max_value=6 * 60 * 60, required=False, allow_null=True)
    recording_url = serializers.URLField(max_length=200, required=False, allow_blank=True)
    callback_owed = serializers.BooleanField(required=False)


class CallOut(serializers.Serializer):
    id = serializers.IntegerField()
    dealer = serializers.CharField(source="dealer.code")
    callId = serializers.CharField(source="external_id", allow_null=True)  # noqa: N815
    phone = serializers.CharField()
    started_at = serializers.DateTimeField()
    direction = serializers.CharField()
    purpose = serializers.CharField()
    customer_id = serializers.IntegerField(allow_null=True)


# --- Complaints -------------------------------------------------------------------------------------------------


class ComplaintIn(StrictSerializer):
    dealer = _text(12, help_text="The dealer's code; needed only when the key serves several dealers.")
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.NORMAL)
    oem_reference = _text(40, help_text="The OEM CAC's case number: the same reference returns the same complaint.")
    customer_phone = _text(40, required=True)
    customer_name = _text(60, help_text="Needed when no customer of the dealer has this mobile number.")
    vin = _text(20)
    vehicle_model = _text(60, help_text="Needed when the dealer has no vehicle with this VIN.")
    plate = _text(12)
    description = _text(5000, required=True)
    demand = _text(2000)
    received_at = serializers.DateTimeField(required=False)


class StepOut(serializers.Serializer):
    at = serializers.DateTimeField()
    step = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    note = serializers.CharField()


class DeadlinesOut(serializers.Serializer):
    acknowledge_due_at = serializers.DateTimeField()
    resolve_due_at = serializers.DateTimeField()
    oem_status_due_at = serializers.DateTimeField(source="api_oem_status_due_at")
    oem_result_due_at = serializers.DateTimeField(source="api_oem_result_due_at")
    oem_status_reported_at = serializers.DateTimeField(allow_null=True)
    oem_result_reported_at = serializers.DateTimeField(allow_null=True)


class ComplaintVehicleOut(serializers.Serializer):
    vin = serializers.CharField()
    plate = serializers.CharField()
    model = serializers.CharField()


class ComplaintOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    dealer = serializers.CharField(source="dealer.code")
    status = serializers.ChoiceField(choices=Status.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    oem_reference = serializers.CharField()
    customer = CustomerOut()
    vehicle = ComplaintVehicleOut(allow_null=True)
    description = serializers.CharField()
    demand = serializers.CharField()
    escalation_level = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    root_cause = serializers.CharField()
    countermeasure = serializers.CharField()
    resolution_type = serializers.CharField()
    resolution_note = serializers.CharField()
    deadlines = DeadlinesOut(source="*")
    steps = StepOut(many=True, source="api_steps")
    updated_at = serializers.DateTimeField()


class ComplaintChangesOut(serializers.Serializer):
    results = ComplaintOut(many=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()


# --- Prospects --------------------------------------------------------------------------------------------------


class ProspectIn(StrictSerializer):
    dealer = _text(12, help_text="The dealer's code; needed only when the key serves several dealers.")
    oem_lead_id = _text(60, required=True, help_text="The OEM's id of the lead: the same id returns the same prospect.")
    name = _text(60, required=True)
    phone = _text(40, required=True)
    grade = serializers.ChoiceField(choices=Grade.choices, default=Grade.B)
    model_of_interest = _text(60)
    budget = serializers.DecimalField(max_digits=12, decimal_places=0, min_value=0, required=False, allow_null=True)
    notes = _text(2000)


class ProspectOut(serializers.Serializer):
    id = serializers.IntegerField()
    dealer = serializers.CharField(source="dealer.code")
    name = serializers.CharField()
    phone = serializers.CharField()
    source = serializers.CharField()
    grade = serializers.CharField()
    status = serializers.CharField()
    owner = serializers.CharField(source="owner.username")
    next_contact_at = serializers.DateTimeField(allow_null=True)


# --- The phone system (generic CTI events) ----------------------------------------------------------------------


class CtiEventIn(serializers.Serializer):
    """For the schema only: `cac.cti.events.cti_event_parse` reads the event, form-encoded or JSON."""

    event = serializers.ChoiceField(choices=[("newCall", "newCall"), ("answer", "answer"), ("hangup", "hangup")])
    callId = serializers.CharField(max_length=64)  # noqa: N815
    direction = serializers.ChoiceField(choices=[("in", "in"), ("out", "out")], required=False)
    to = serializers.CharField(max_length=40, required=False)
    user = serializers.ListField(child=serializers.CharField(max_length=254), max_length=20, required=False)
    queue = serializers.CharField(max_length=60, required=False)
    answeringNumber = serializers.CharField(max_length=40, required=False)  # noqa: N815
    cause = serializers.CharField(max_length=20, required=False)
    recordingUrl = serializers.URLField(max_length=500, required=False)  # noqa: N815

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(max_length=40, required=False)  # a keyword in Python
        return fields


class CtiAnswerOut(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[("reject", "reject")], required=False, help_text="reject: the number is on the line's block list."
    )
