"""Need-to-know for phone numbers: one masking rule, whole numbers for the roles that call customers, masked for the
others, a deliberate reveal on the 360, and the access log of reveals and recordings played (reports: tests/reports)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.template import engines
from django.urls import reverse

from cac import roles
from cac.models import AccessLog, Notification
from cac.security.masking import mask_phones
from cac.security.privacy import phone_for
from tests.cac.factories import CallLogFactory, CustomerFactory
from tests.conftest import verify_two_factor

pytestmark = pytest.mark.django_db

# Not the example of the phone box's help text (138 0013 8000).
MOBILE, SPACED, MASKED = "13912345678", "139 1234 5678", "139****5678"
AUDIO = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\xff\xfb\x90\x00" * 64


@pytest.fixture
def customer(dealer):
    return CustomerFactory(dealer=dealer, name="陈静", mobile=MOBILE, other_phones="02038881234")


@pytest.fixture
def executive(make_user, dealer):
    return make_user(roles.EXECUTIVE, dealer, username="gm")


# --- The rule -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (MOBILE, MASKED),
        (SPACED, MASKED),
        ("+86 139-1234-5678", MASKED),
        ("008613912345678", MASKED),
        ("02038881234", "020****1234"),
        ("075588888888", "075*****8888"),
        ("陈静 138 0013 8000 · 凯美瑞", "陈静 138****8000 · 凯美瑞"),
        ("TS-202603-0001 2026-03-01", "TS-202603-0001 2026-03-01"),  # complaint numbers and dates are no phones
        ("1380013", "1380013"),  # a part of a number is only masked where it is typed (the logs)
        (MASKED, MASKED),
        ("", ""),
    ],
)
def test_one_masking_rule_keeps_the_first_three_and_last_four_digits(text, masked):
    assert mask_phones(text) == masked


def test_the_beginning_of_a_number_being_typed_is_masked_for_the_logs():
    assert [mask_phones(typed, partial=True) for typed in ("139", "1391", "1391234567", MOBILE)] == [
        "139",
        "139*",
        "139*******",
        MASKED,
    ]


def test_roles_that_call_customers_hold_the_permission_and_the_executive_does_not():
    holders = {role for role, perms in roles.ROLE_PERMISSIONS.items() if "cac.view_full_phone" in perms}
    assert holders == set(roles.ROLE_PERMISSIONS) - {roles.EXECUTIVE}


def test_the_filter_shows_whole_numbers_to_agents_and_masked_ones_to_the_executive(agent, executive):
    template = engines["django"].from_string("{% load privacy %}{{ number|phone_for:user }}")
    assert template.render({"number": MOBILE, "user": agent}) == SPACED
    assert template.render({"number": MOBILE, "user": executive}) == MASKED
    assert phone_for(MOBILE, AnonymousUser()) == MASKED
    assert phone_for(f"王芳 {SPACED}", executive) == f"王芳 {MASKED}"
    assert phone_for("", executive) == ""


# --- Pages --------------------------------------------------------------------------------------------------------


def test_the_executive_sees_the_360_and_the_lists_masked_with_a_button_to_reveal(client, executive, customer):
    CallLogFactory(customer=None, dealer=customer.dealer, phone="13700137111", callback_owed=True)
    client.force_login(executive)
    pages = [
        reverse("customer_detail", args=[customer.pk]),
        reverse("customer_list"),
        reverse("call_list"),
        reverse("call_desk"),  # `/` is the executive's dashboard, which shows no number
        reverse("customer_lookup") + "?q=陈",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert MOBILE not in html and SPACED not in html and "13700137111" not in html, url
        assert MASKED in html or "137****7111" in html, url
    html = client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert 'id="reveal-phone"' in html and "020****1234" in html and "02038881234" not in html
    assert not AccessLog.objects.exists()  # seeing the masked page is not an access to a whole number


def test_the_agent_sees_the_whole_number_and_no_reveal_button(agent_client, customer):
    html = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert SPACED in html and 'id="reveal-phone"' not in html


def test_a_reveal_shows_the_whole_number_once_and_is_logged(client, executive, customer):
    client.force_login(executive)
    url = reverse("customer_reveal_phone", args=[customer.pk])
    response = client.post(
        url, {"reason": "客户投诉升级，需回电"}, HTTP_USER_AGENT="Firefox/140", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert SPACED in fragment and "02038881234" in fragment and 'id="reveal-phone"' not in fragment
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.record_id, entry.dealer) == (
        executive,
        AccessLog.Action.REVEAL_PHONE,
        customer.pk,
        customer.dealer,
    )
    assert entry.record_type.model_class().__name__ == "Customer"
    assert (entry.reason, entry.ip_address, entry.user_agent) == ("客户投诉升级，需回电", "127.0.0.1", "Firefox/140")
    # Without htmx: the 360, whole this once; the next view is masked again.
    page = client.post(url).content.decode()
    assert SPACED in page and AccessLog.objects.count() == 2
    assert SPACED not in client.get(reverse("customer_detail", args=[customer.pk])).content.decode()


def test_a_reveal_by_a_role_that_sees_whole_numbers_is_not_logged(agent_client, customer):
    assert agent_client.post(reverse("customer_reveal_phone", args=[customer.pk])).status_code == 200
    assert not AccessLog.objects.exists()


def test_another_dealers_customer_cannot_be_revealed(client, make_user, other_dealer, customer):
    client.force_login(make_user(roles.EXECUTIVE, other_dealer))
    assert client.post(reverse("customer_reveal_phone", args=[customer.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def test_notifications_show_numbers_masked_to_the_executive(client, executive, customer):
    Notification.objects.create(
        recipient=executive, kind="test", title=f"回访逾期：{customer}", body=f"客户 {SPACED}", key="privacy:1"
    )
    client.force_login(executive)
    html = client.get(reverse("notifications")).content.decode()
    assert SPACED not in html and html.count(MASKED) == 2


def test_the_mail_of_a_notification_is_masked_for_the_executive(executive, mailoutbox, customer):
    from cac.tasks import notification_email

    executive.email = "gm@example.com"
    executive.save(update_fields=["email"])
    notification = Notification.objects.create(
        recipient=executive, kind="test", title=f"回访逾期：{customer}", body=f"客户 {SPACED}", key="privacy:2"
    )
    assert notification_email.run(notification_id=notification.pk) == 1
    mail = mailoutbox[0]
    assert SPACED not in mail.subject + mail.body and MASKED in mail.subject and MASKED in mail.body


# --- Recordings ---------------------------------------------------------------------------------------------------


def test_each_recording_played_is_logged(agent_client, agent, customer, media_root):
    call = CallLogFactory(customer=customer, handled_by=agent)
    call.recording.save("call.mp3", ContentFile(AUDIO), save=True)
    for _ in range(2):
        response = agent_client.get(reverse("call_recording", args=[call.pk]))
        assert response.status_code == 200
        b"".join(response.streaming_content)
    entries = list(AccessLog.objects.order_by("pk"))
    assert [(e.user, e.action, e.record_id, e.dealer_id) for e in entries] == [
        (agent, AccessLog.Action.RECORDING_PLAY, call.pk, customer.dealer_id)
    ] * 2
    assert entries[0].record_type.model_class().__name__ == "CallLog"


def test_a_recording_refused_writes_no_log(client, executive, customer, media_root):
    call = CallLogFactory(customer=customer)
    call.recording.save("call.mp3", ContentFile(AUDIO), save=True)
    client.force_login(executive)
    assert client.get(reverse("call_recording", args=[call.pk])).status_code == 403
    assert not AccessLog.objects.exists()


# --- The access log in the admin --------------------------------------------------------------------------------


@pytest.fixture
def admin_client_of_dealer(client, make_user, dealer):
    administrator = make_user(roles.ADMIN, dealer, username="dealer-admin", is_staff=True)
    client.force_login(administrator)
    verify_two_factor(client, administrator)
    return client


def test_administrators_filter_the_access_log_and_cannot_change_it(
    admin_client_of_dealer, client, executive, agent, customer
):
    gm = client.__class__()
    gm.force_login(executive)
    gm.post(reverse("customer_reveal_phone", args=[customer.pk]), {"reason": "核实"})
    entry = AccessLog.objects.get()
    changelist = reverse("admin:cac_accesslog_changelist")
    html = admin_client_of_dealer.get(changelist).content.decode()
    assert "核实" in html and "gm" in html
    for query in (
        {"action__exact": "reveal_phone"},
        {"dealer__id__exact": customer.dealer_id},
        {"user__id__exact": executive.pk},
        {"at__year": entry.at.year},
    ):
        response = admin_client_of_dealer.get(changelist, query)
        assert response.status_code == 200 and response.context["cl"].result_count == 1, query
    response = admin_client_of_dealer.get(changelist, {"action__exact": "export_csv"})
    assert response.context["cl"].result_count == 0
    assert admin_client_of_dealer.get(reverse("admin:cac_accesslog_add")).status_code == 403
    change = admin_client_of_dealer.post(reverse("admin:cac_accesslog_change", args=[entry.pk]), {"reason": "改"})
    assert change.status_code in (302, 403)
    assert admin_client_of_dealer.post(reverse("admin:cac_accesslog_delete", args=[entry.pk]), {"post": "yes"})
    entry.refresh_from_db()
    assert entry.reason == "核实"
