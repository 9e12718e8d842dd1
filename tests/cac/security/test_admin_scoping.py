"""The administration scoped by dealer: every registered model, every changelist, change form and history page,
for the platform's operator, a dealer's administrator, another dealer's administrator and an agent."""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from api.keys import api_key_create
from api.models import ApiAccessLog, ApiKey, DealerOemSettings, OemReport, WebhookDelivery, WebhookEndpoint
from cac.cti.lines import cti_line_create
from cac.models import (
    AccessLog,
    CallLog,
    CtiCall,
    Dealer,
    DealerHoliday,
    FailedTask,
    Notification,
    SmsMessage,
    SmsTemplate,
    StateCalendarDay,
    User,
)
from cac.security.admin_scoping import DealerScopedAdminMixin
from callbacks.models import Callback, Question
from complaints.models import Attachment, ComplaintSLA, EngineerDispatch, Escalation, KeyAttentionVehicle
from prospects.models import Campaign, GradeHorizon
from reports.models import CorrectiveAction, DealerTarget, MonthlyReport
from tests.cac.factories import CallLogFactory, CustomerFactory, DealerFactory, VehicleFactory
from tests.complaints.factories import ComplaintFactory
from tests.conftest import verify_two_factor
from tests.prospects.factories import ProspectFactory

# Rows that belong to no dealer: only the platform's operator sees them.
OPERATOR_ONLY = {Group, FailedTask, StateCalendarDay}


def _dealer_rows(dealer: Dealer, staff: User) -> dict:
    """One row of every dealer-owned model registered in the admin, for one dealer."""
    customer = CustomerFactory(dealer=dealer)
    vehicle = VehicleFactory(customer=customer)
    complaint = ComplaintFactory(customer=customer, vehicle=vehicle)
    now = timezone.now()
    report = MonthlyReport.objects.create(month=date(2026, 3, 1), language="zh-hans")
    report.dealers.add(dealer)
    api_key, _plain = api_key_create(
        name=f"OEM {dealer.code}", dealers=[dealer], scopes=["customers:read"], acting_user=None
    )
    cti_line, _token = cti_line_create(dealer=dealer, number=f"020{dealer.pk:08d}")
    rows = {
        Dealer: dealer,
        type(cti_line): cti_line,
        CtiCall: CtiCall.objects.create(line=cti_line, dealer=dealer, call_id="c-1", started_at=now),
        User: staff,
        type(customer): customer,
        type(vehicle): vehicle,
        CallLog: CallLogFactory(customer=customer, dealer=dealer),
        Notification: Notification.objects.create(
            recipient=staff, dealer=dealer, kind="t", title="t", key=f"k{dealer}"
        ),
        type(complaint): complaint,
        ComplaintSLA: ComplaintSLA.objects.create(
            dealer=dealer,
            channel="",
            severity="",
            acknowledge_rule="working_hours",
            acknowledge_hours=4,
            resolve_days=3,
        ),
        Escalation: Escalation.objects.create(complaint=complaint, from_level=0, to_level=1, reason="deadline"),
        EngineerDispatch: EngineerDispatch.objects.create(complaint=complaint, engineer="工程师", called_at=now),
        Attachment: Attachment.objects.create(
            complaint=complaint,
            kind="photo",
            file="x.png",
            original_name="x.png",
            content_type="image/png",
            size=1,
            uploaded_by=staff,
        ),
        KeyAttentionVehicle: KeyAttentionVehicle.objects.create(
            dealer=dealer, vehicle=vehicle, reason="三包", since=now
        ),
        Callback: Callback.objects.create(dealer=dealer, customer=customer, kind="after_sale", due_at=now),
        Question: Question.objects.create(dealer=dealer, kind="after_sale", text="满意吗"),
        ProspectFactory._meta.model: ProspectFactory(dealer=dealer, owner=staff),
        Campaign: Campaign.objects.create(
            dealer=dealer, name="春季", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31), created_by=staff
        ),
        GradeHorizon: GradeHorizon.objects.create(dealer=dealer, grade="H", horizon_days=5),
        MonthlyReport: report,
        CorrectiveAction: CorrectiveAction.objects.create(
            dealer=dealer, month=date(2026, 3, 1), action="培训", owner=staff, due_on=date(2026, 4, 1), created_by=staff
        ),
        DealerTarget: DealerTarget.objects.create(dealer=dealer),
        TOTPDevice: TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True),
        ApiKey: api_key,
        ApiAccessLog: ApiAccessLog.objects.create(
            key=api_key, method="GET", endpoint="/api/v1/x", status=200, duration_ms=1
        ),
        DealerOemSettings: DealerOemSettings.objects.create(dealer=dealer),
        OemReport: OemReport.objects.create(
            dealer=dealer, complaint=complaint, kind="status", key=f"status-{complaint.pk}"
        ),
        WebhookEndpoint: (
            endpoint := WebhookEndpoint.objects.create(
                dealer=dealer, name="DMS", url="http://127.0.0.1:9/hook", secret="s"
            )
        ),
        WebhookDelivery: WebhookDelivery.objects.create(
            dealer=dealer, endpoint=endpoint, complaint=complaint, event="created", key=f"d-{complaint.pk}", payload={}
        ),
        AccessLog: AccessLog.objects.create(
            user=staff,
            dealer=dealer,
            action=AccessLog.Action.EXPORT_CSV,
            record_type=ContentType.objects.get_for_model(customer),
            record_id=customer.pk,
        ),
    }
    rows[DealerHoliday] = DealerHoliday.objects.create(dealer=dealer, date=date(2026, 10, 1), name="国庆节")
    rows[SmsTemplate] = SmsTemplate.objects.create(
        dealer=dealer, purpose="follow_up_declined", signature=dealer.name, body="${phone}", parameters=["phone"]
    )
    rows[SmsMessage] = SmsMessage.objects.create(
        dealer=dealer, customer=customer, phone=customer.mobile, text="【店】您好", purpose="follow_up_declined"
    )
    return rows


@pytest.fixture
def world(make_user, dealer, other_dealer):
    """Two dealers, each with its administrator and one row of everything; the operator; an agent."""
    gz_admin = make_user("admin", dealer, username="gz-admin", is_staff=True)
    sz_admin = make_user("admin", other_dealer, username="sz-admin", is_staff=True)
    gz_agent = make_user("agent", dealer, username="gz-agent")
    sz_agent = make_user("agent", other_dealer, username="sz-agent")
    operator = User.objects.create_superuser("operator", "op@example.com", "a-long-operator-password")
    return {
        "operator": operator,
        "gz_admin": gz_admin,
        "sz_admin": sz_admin,
        "gz_agent": gz_agent,
        "rows": {"GZ01": _dealer_rows(dealer, gz_agent), "SZ02": _dealer_rows(other_dealer, sz_agent)},
    }


def _client_for(client, user):
    client.force_login(user)
    verify_two_factor(client, user)
    return client


def _give_every_view_permission(user):
    """As the operator may: see every registered model, so that the scoping of each one is put to the test."""
    for model in admin.site._registry:
        user.user_permissions.add(
            Permission.objects.get(
                content_type__app_label=model._meta.app_label, codename=f"view_{model._meta.model_name}"
            )
        )


def _urls(model, pk=None, suffix="change"):
    info = (model._meta.app_label, model._meta.model_name)
    if pk is None:
        return reverse("admin:{}_{}_changelist".format(*info))
    return reverse("admin:{}_{}_{}".format(*info, suffix), args=[pk])


def test_every_registered_admin_is_scoped_by_the_core_mixin():
    unscoped = [
        model
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, DealerScopedAdminMixin)
    ]
    assert unscoped == []


def test_every_registered_model_is_in_the_matrix(world):
    covered = set(world["rows"]["GZ01"]) | OPERATOR_ONLY
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    covered |= {AccessAttempt, AccessLog, AccessFailureLog}  # tests/cac/security/test_login_lockout.py
    assert set(admin.site._registry) <= covered


def test_a_dealer_administrator_sees_only_its_dealers_rows_on_every_page(client, world):
    gz_admin = world["gz_admin"]
    _give_every_view_permission(gz_admin)
    client = _client_for(client, gz_admin)
    for model, own in world["rows"]["GZ01"].items():
        other = world["rows"]["SZ02"][model]
        response = client.get(_urls(model))
        assert response.status_code == 200, model
        shown = {row.pk for row in response.context["cl"].result_list}
        assert own.pk in shown, model
        assert other.pk not in shown, model
        assert client.get(_urls(model, own.pk)).status_code == 200, model
        # Another dealer's row is answered as a row that does not exist.
        response = client.get(_urls(model, other.pk))
        assert response.status_code == 302 and response.url == reverse("admin:index"), model
        if isinstance(admin.site._registry[model], SimpleHistoryAdmin):
            assert client.get(_urls(model, own.pk, "history")).status_code == 200, model
            assert client.get(_urls(model, other.pk, "history")).status_code == 404, model
    for model in OPERATOR_ONLY:
        response = client.get(_urls(model))
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []


def test_the_operator_sees_every_dealers_rows(client, world):
    FailedTask.objects.create(task_name="t", exception="e")
    client = _client_for(client, world["operator"])
    for code in ("GZ01", "SZ02"):
        for model, row in world["rows"][code].items():
            response = client.get(_urls(model, row.pk))
            assert response.status_code == 200, model
    for model in OPERATOR_ONLY:
        assert client.get(_urls(model)).status_code == 200


@pytest.mark.parametrize("who", ["gz_admin", "sz_admin"])
def test_the_admin_role_opens_what_its_permissions_allow_and_only_its_own(client, world, who):
    user = world[who]
    mine, theirs = ("GZ01", "SZ02") if who == "gz_admin" else ("SZ02", "GZ01")
    client = _client_for(client, user)
    for model, row in world["rows"][mine].items():
        allowed = user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}") or user.has_perm(
            f"{model._meta.app_label}.change_{model._meta.model_name}"
        )
        assert client.get(_urls(model)).status_code == (200 if allowed else 403), model
        assert client.get(_urls(model, row.pk)).status_code == (200 if allowed else 403), model
        other = world["rows"][theirs][model]
        assert client.get(_urls(model, other.pk)).status_code in (302, 403), model


@pytest.mark.parametrize("role", ["agent", "service_manager", "sales_manager", "director", "executive"])
def test_the_other_roles_do_not_reach_the_administration(client, world, make_user, dealer, role):
    client.force_login(make_user(role, dealer, username=f"gz-{role}-staffless"))
    login = reverse("admin:login")
    for model, row in world["rows"]["GZ01"].items():
        for url in (_urls(model), _urls(model, row.pk)):
            response = client.get(url)
            assert response.status_code == 302 and response.url.startswith(login), url


def test_filters_offer_only_the_dealers_of_the_administrator(client, world):
    client = _client_for(client, world["gz_admin"])
    page = client.get(_urls(CallLog)).content.decode()
    assert "GZ01" in page or "广州天河" in page
    assert "深圳南山" not in page


def test_group_wide_defaults_are_shown_to_a_dealer_administrator_read_only(client, world):
    default = ComplaintSLA.objects.filter(dealer__isnull=True).first() or ComplaintSLA.objects.create(
        channel="", severity="", acknowledge_rule="working_hours", acknowledge_hours=8, resolve_days=5
    )
    client = _client_for(client, world["gz_admin"])
    response = client.get(_urls(ComplaintSLA, default.pk))
    assert response.status_code == 200
    assert 'name="resolve_days"' not in response.content.decode()  # shown, not editable
    response = client.post(_urls(ComplaintSLA, default.pk), {"resolve_days": 1, "acknowledge_rule": "hours"})
    assert response.status_code == 403
    default.refresh_from_db()
    assert default.resolve_days != 1


def test_a_dealer_administrator_creates_no_dealer_and_deletes_none(client, world):
    client = _client_for(client, world["gz_admin"])
    assert client.get(reverse("admin:cac_dealer_add")).status_code == 403
    gz = world["rows"]["GZ01"][Dealer]
    assert client.post(reverse("admin:cac_dealer_delete", args=[gz.pk]), {"post": "yes"}).status_code == 403
    assert Dealer.objects.filter(pk=gz.pk).exists()
    assert not DealerFactory._meta.model.objects.filter(code="NEW1").exists()


def test_a_dealer_administrator_adds_and_edits_deadline_policies_of_its_dealer_only(client, world):
    default = ComplaintSLA.objects.filter(dealer__isnull=True).first() or ComplaintSLA.objects.create(
        channel="", severity="", acknowledge_rule="working_hours", acknowledge_hours=2, resolve_days=2
    )
    days = default.resolve_days
    client = _client_for(client, world["gz_admin"])
    fields = {
        "channel": "",
        "severity": "major",
        "acknowledge_rule": "hours",
        "acknowledge_hours": "1",
        "resolve_days": "1",
    }
    response = client.post(reverse("admin:complaints_complaintsla_add"), fields)  # no dealer: every dealer's
    assert response.status_code == 200 and "dealer" in response.context["adminform"].form.errors
    other = world["rows"]["SZ02"][Dealer]
    response = client.post(reverse("admin:complaints_complaintsla_add"), {**fields, "dealer": other.pk})
    assert response.status_code == 200 and "dealer" in response.context["adminform"].form.errors
    assert not ComplaintSLA.objects.filter(severity="major").exists()
    # The list is not editable in place for it: the group's rows are on it.
    page = client.get(_urls(ComplaintSLA))
    assert page.context["cl"].formset is None
    response = client.post(
        _urls(ComplaintSLA),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": default.pk,
            "form-0-acknowledge_rule": "hours",
            "form-0-acknowledge_hours": "99",
            "form-0-resolve_days": "99",
            "_save": "Save",
        },
    )
    default.refresh_from_db()
    assert default.resolve_days == days
    assert not ComplaintSLA.objects.filter(resolve_days=99).exists()
