"""The API's endpoints: validate, call one service or selector as the key's account, answer. Every request is
logged with its key, endpoint, method, status and duration."""

import time

from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api import selectors, serializers, services
from api.authentication import ApiKeyAuthentication, ApiKeyThrottle, CtiLineThrottle, HasScope
from api.models import ApiAccessLog, Scope
from api.parsers import LimitedFormParser, LimitedJSONParser
from cac.cti.events import cti_event_parse, cti_event_record, cti_values
from cac.cti.lines import cti_line_check
from cac.models import Customer
from complaints.models import Complaint

MAX_ID = 2**63 - 1
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="The same key (per API key) returns the record the first request made, with 200.",
)


class ErrorsOut(drf_serializers.Serializer):
    errors = drf_serializers.DictField(child=drf_serializers.ListField(child=drf_serializers.CharField()))


ERRORS = {
    code: OpenApiResponse(ErrorsOut, description=text)
    for code, text in (
        (400, "Bad input: {field: [messages]}"),
        (401, "No key, or an unknown or revoked one"),
        (403, "The key lacks the scope"),
        (404, "Not found among the key's dealers"),
        (413, "Body too large"),
        (429, "Too many requests for this key"),
    )
}


def _responses(ok: dict) -> dict:
    return {**ok, **ERRORS}


class ApiView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ApiKeyThrottle]
    renderer_classes = [JSONRenderer]
    scopes: dict[str, str] = {}

    def dispatch(self, request, *args, **kwargs):
        started_at, started = timezone.now(), time.monotonic()
        response = super().dispatch(request, *args, **kwargs)
        ApiAccessLog.objects.create(
            key=getattr(self.request, "api_key", None),
            method=request.method[:8],
            endpoint=self.logged_path(request)[:300],
            status=response.status_code,
            at=started_at,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        return response

    def logged_path(self, request) -> str:
        return request.path

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A path id beyond the database's bigint is no record of ours (PostgreSQL would refuse the query).
        if any(isinstance(value, int) and value > MAX_ID for value in kwargs.values()):
            raise NotFound()

    def idempotency_key(self) -> str | None:
        value = self.request.headers.get("Idempotency-Key", "").strip()
        if not value:
            return None
        if len(value) > 100 or not value.isprintable():
            raise drf_serializers.ValidationError({"Idempotency-Key": [_("Send at most 100 printable characters.")]})
        return f"{self.request.api_key.pk}:{value}"

    def valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["dealer"] = selectors.key_dealer(user=self.request.user, code=data.pop("dealer", ""))
        return data

    @staticmethod
    def answer(result: services.Created, out) -> Response:
        return Response(
            out(result.record).data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )


class CustomerLookup(ApiView):
    scopes = {"GET": Scope.CUSTOMERS_READ}

    @extend_schema(
        parameters=[OpenApiParameter("phone", str, required=True, description="Any spelling: +86 138-0013-8000")],
        responses=_responses({200: serializers.CustomerLookupOut}),
        summary="Customers with this phone number",
        operation_id="customer_lookup",
        tags=["customers"],
    )
    def get(self, request):
        customers = selectors.customer_by_phone(user=request.user, phone=request.query_params.get("phone", ""))
        return Response(serializers.CustomerLookupOut({"results": customers}).data)


class CustomerSummary(ApiView):
    scopes = {"GET": Scope.CUSTOMERS_READ}

    @extend_schema(
        responses=_responses({200: serializers.CustomerSummaryOut}),
        summary="A customer's vehicles, open complaints and follow-up calls owed",
        operation_id="customer_summary",
        tags=["customers"],
    )
    def get(self, request, customer_id: int):
        try:
            summary = selectors.customer_summary(user=request.user, customer_id=customer_id)
        except Customer.DoesNotExist:
            raise NotFound() from None
        return Response(serializers.CustomerSummaryOut(summary).data)


class CallCreate(ApiView):
    scopes = {"POST": Scope.CALLS_WRITE}

    @extend_schema(
        request=serializers.CallIn,
        parameters=[IDEMPOTENCY_HEADER],
        responses=_responses({201: serializers.CallOut, 200: serializers.CallOut}),
        summary="Record a call (the same callId returns the same call)",
        operation_id="call_create",
        tags=["calls"],
    )
    def post(self, request):
        data = self.valid(serializers.CallIn)
        result = services.api_call_create(
            acting_user=request.user, call_id=data.pop("callId", ""), idempotency_key=self.idempotency_key(), **data
        )
        return self.answer(result, serializers.CallOut)


class Complaints(ApiView):
    scopes = {"GET": Scope.COMPLAINTS_READ, "POST": Scope.COMPLAINTS_WRITE}

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, description="The next_cursor of the previous page; none for the start."),
            OpenApiParameter("limit", int, description="At most 200; 100 by default."),
        ],
        responses=_responses({200: serializers.ComplaintChangesOut}),
        summary="Complaints changed since the cursor, each change once",
        operation_id="complaint_changes",
        tags=["complaints"],
    )
    def get(self, request):
        limit = drf_serializers.IntegerField(min_value=1, max_value=200)
        raw = request.query_params.get("limit", "100")
        try:
            limit = limit.run_validation(raw)
        except drf_serializers.ValidationError as exc:
            raise drf_serializers.ValidationError({"limit": exc.detail}) from None
        page = selectors.complaint_changes(user=request.user, cursor=request.query_params.get("cursor"), limit=limit)
        return Response(
            serializers.ComplaintChangesOut(
                {"results": page.complaints, "next_cursor": page.next_cursor, "has_more": page.has_more}
            ).data
        )

    @extend_schema(
        request=serializers.ComplaintIn,
        parameters=[IDEMPOTENCY_HEADER],
        responses=_responses({201: serializers.ComplaintOut, 200: serializers.ComplaintOut}),
        summary="Open a complaint the OEM sent (the same oem_reference returns the same complaint)",
        operation_id="complaint_create",
        tags=["complaints"],
    )
    def post(self, request):
        data = self.valid(serializers.ComplaintIn)
        result = services.api_complaint_create(acting_user=request.user, idempotency_key=self.idempotency_key(), **data)
        complaint = selectors.complaint_read(user=request.user, complaint_id=result.record.pk)
        return self.answer(services.Created(complaint, result.created), serializers.ComplaintOut)


class ComplaintDetail(ApiView):
    scopes = {"GET": Scope.COMPLAINTS_READ}

    @extend_schema(
        responses=_responses({200: serializers.ComplaintOut}),
        summary="A complaint with its status, steps and deadlines",
        operation_id="complaint_read",
        tags=["complaints"],
    )
    def get(self, request, complaint_id: int):
        try:
            complaint = selectors.complaint_read(user=request.user, complaint_id=complaint_id)
        except Complaint.DoesNotExist:
            raise NotFound() from None
        return Response(serializers.ComplaintOut(complaint).data)


class ProspectCreate(ApiView):
    scopes = {"POST": Scope.PROSPECTS_WRITE}

    @extend_schema(
        request=serializers.ProspectIn,
        parameters=[IDEMPOTENCY_HEADER],
        responses=_responses({201: serializers.ProspectOut, 200: serializers.ProspectOut}),
        summary="Capture an OEM lead (the same oem_lead_id returns the same prospect)",
        operation_id="prospect_create",
        tags=["prospects"],
    )
    def post(self, request):
        data = self.valid(serializers.ProspectIn)
        result = services.api_prospect_create(acting_user=request.user, idempotency_key=self.idempotency_key(), **data)
        return self.answer(result, serializers.ProspectOut)


class CtiEvent(ApiView):
    """The phone system's call events for one line; the token in the path is the line's secret."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes = [CtiLineThrottle]
    parser_classes = [LimitedJSONParser, LimitedFormParser]

    def logged_path(self, request) -> str:
        return request.path.replace(self.kwargs.get("token", ""), "…") if self.kwargs.get("token") else request.path

    def initial(self, request, *args, **kwargs):
        # The line is found before the throttle runs: a line's events are counted per line.
        request.cti_line = cti_line_check(kwargs.get("token", ""))
        if request.cti_line is None:
            raise NotFound()
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request={
            "application/x-www-form-urlencoded": serializers.CtiEventIn,
            "application/json": serializers.CtiEventIn,
        },
        responses={
            200: serializers.CtiAnswerOut,
            **{code: ERRORS[code] for code in (400, 404, 413, 429)},
        },
        summary="A call event of the line's phone system (newCall, answer, hangup)",
        operation_id="cti_event",
        tags=["phone system"],
        auth=[],
    )
    def post(self, request, token: str):
        event = cti_event_parse(cti_values(request.data))
        return Response(cti_event_record(line=request.cti_line, event=event))


def not_found(request, *args, **kwargs) -> JsonResponse:
    return JsonResponse({"errors": {"detail": [_("No such endpoint or record.")]}}, status=404)
