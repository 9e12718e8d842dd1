"""Prospect services: capture, grade → next contact, the shared attempts rule, conversion once, campaigns,
the duplicate warning and the funnel."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cac.models import CallLog, Customer, Vehicle
from cac.platform.attempts import AttemptResult
from prospects import selectors, services
from prospects.models import CampaignTarget, ContactAttempt, GradeHorizon, Prospect, Status
from tests.cac.factories import CallLogFactory, CustomerFactory, make_vin
from tests.prospects.conftest import local
from tests.prospects.factories import ProspectFactory, put

pytestmark = pytest.mark.django_db


# --- Capture -------------------------------------------------------------------------------------------------------


def test_capture_normalizes_the_phone_links_the_call_and_is_due_now(dealer, agent):
    call = CallLogFactory(customer=None, dealer=dealer, phone="13600136000", handled_by=agent)
    prospect = services.prospect_create(
        dealer=dealer, acting_user=agent, name="钱多", phone="+86 136-0013-6000", source="phone", grade="H", call=call
    )
    assert prospect.phone == "13600136000"
    assert prospect.owner == agent
    assert prospect.call == call
    assert prospect.status == Status.NEW
    assert prospect.next_contact_at <= timezone.now()
    assert prospect.history.get().history_user == agent


def test_capture_refuses_bad_input_and_writes_nothing(dealer, agent):
    with pytest.raises(ValidationError) as exc:
        services.prospect_create(dealer=dealer, acting_user=agent, name=" ", phone="123", source="nope", grade="Z")
    assert set(exc.value.error_dict) == {"name", "phone", "source", "grade"}
    assert Prospect.objects.count() == 0


def test_capture_for_another_dealer_is_refused(other_dealer, agent):
    with pytest.raises(PermissionDenied):
        services.prospect_create(dealer=other_dealer, acting_user=agent, name="x", phone="13600136000", source="phone")


def test_duplicates_by_normalized_phone_within_the_dealer(dealer, other_dealer, agent):
    customer = CustomerFactory(dealer=dealer, mobile="13600136000")
    prospect = ProspectFactory(dealer=dealer, owner=agent, phone="13600136000")
    ProspectFactory(dealer=other_dealer, owner=agent, phone="13600136000")
    customers, prospects = selectors.prospect_duplicates(user=agent, dealer_id=dealer.pk, phone="136 0013 6000")
    assert customers == [customer]
    assert prospects == [prospect]
    assert selectors.prospect_duplicates(user=agent, dealer_id=dealer.pk, phone="13900139000") == ([], [])


# --- Grade → next contact ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("grade", "days"), [("H", 2), ("A", 5), ("B", 10), ("C", 30)])
def test_default_horizons_set_the_cadence(dealer, grade, days):
    assert services.horizon_days(dealer_id=dealer.pk, grade=grade) == {"H": 7, "A": 15, "B": 30, "C": 90}[grade]
    last = local(2, 10)
    horizon = services.horizon_days(dealer_id=dealer.pk, grade=grade)
    assert services.next_contact_from(last_contact_at=last, horizon=horizon, now=last) == last + timedelta(days=days)


def test_never_contacted_is_due_now():
    now = local(2, 10)
    assert services.next_contact_from(last_contact_at=None, horizon=7, now=now) == now


def test_a_dealer_table_overrides_the_default(dealer, other_dealer):
    GradeHorizon.objects.create(dealer=dealer, grade="H", horizon_days=3)
    assert services.horizon_days(dealer_id=dealer.pk, grade="H") == 3
    assert services.horizon_days(dealer_id=other_dealer.pk, grade="H") == 7


def test_changing_the_grade_moves_the_next_contact(prospect, agent):
    at = local(2, 10)
    services.prospect_record_attempt(prospect_id=prospect.pk, acting_user=agent, result="reached", at=at)
    assert Prospect.objects.get(pk=prospect.pk).next_contact_at == at + timedelta(days=10)  # grade B
    services.prospect_update(prospect_id=prospect.pk, acting_user=agent, grade="H")
    assert Prospect.objects.get(pk=prospect.pk).next_contact_at == at + timedelta(days=2)


# --- The shared attempts rule --------------------------------------------------------------------------------------


def test_each_attempt_has_a_call_log(prospect, agent):
    services.prospect_record_attempt(prospect_id=prospect.pk, acting_user=agent, result="no_answer", at=local(2, 9))
    attempt = ContactAttempt.objects.get()
    assert attempt.slot == "morning"
    assert attempt.call.direction == CallLog.Direction.OUTBOUND
    assert attempt.call.phone == prospect.phone
    assert Prospect.objects.get(pk=prospect.pk).status == Status.CONTACTING


def test_three_failed_slots_make_the_prospect_unreachable(prospect, agent):
    for at in (local(2, 9), local(2, 14), local(2, 19)):
        prospect = services.prospect_record_attempt(
            prospect_id=prospect.pk, acting_user=agent, result=AttemptResult.NO_ANSWER, at=at
        )
    assert prospect.status == Status.UNREACHABLE
    assert prospect.next_contact_at is None


def test_a_second_try_in_the_same_slot_is_refused(prospect, agent):
    services.prospect_record_attempt(prospect_id=prospect.pk, acting_user=agent, result="busy", at=local(2, 9))
    assert Prospect.objects.get(pk=prospect.pk).next_contact_at == local(2, 12)
    with pytest.raises(ValidationError):
        services.prospect_record_attempt(prospect_id=prospect.pk, acting_user=agent, result="busy", at=local(2, 10))
    assert ContactAttempt.objects.count() == 1


def test_a_wrong_number_is_unreachable_at_once(prospect, agent):
    prospect = services.prospect_record_attempt(
        prospect_id=prospect.pk, acting_user=agent, result="wrong_number", at=local(2, 9)
    )
    assert prospect.status == Status.UNREACHABLE


def test_reached_and_interested_is_following(prospect, agent):
    services.prospect_record_attempt(prospect_id=prospect.pk, acting_user=agent, result="no_answer", at=local(2, 9))
    prospect = services.prospect_record_attempt(
        prospect_id=prospect.pk, acting_user=agent, result="reached", at=local(2, 14)
    )
    assert prospect.status == Status.FOLLOWING
    assert prospect.contacted_at == local(2, 14)
    assert prospect.last_contact_at == local(2, 14)


def test_reached_and_not_interested_is_lost(prospect, agent):
    prospect = services.prospect_record_attempt(
        prospect_id=prospect.pk, acting_user=agent, result="reached", interested=False, at=local(2, 9)
    )
    assert prospect.status == Status.LOST
    assert prospect.lost_reason == "not_interested"


def test_no_call_at_night(prospect, agent):
    with pytest.raises(ValidationError):
        services.prospect_record_attempt(prospect_id=prospect.pk, acting_user=agent, result="reached", at=local(2, 23))
    assert ContactAttempt.objects.count() == 0 and CallLog.objects.count() == 0


def test_attempts_before_a_campaign_do_not_count_again(prospect, agent, sales_manager, dealer):
    for at in (local(2, 9), local(2, 14)):
        services.prospect_record_attempt(prospect_id=prospect.pk, acting_user=agent, result="no_answer", at=at)
    services.prospect_record_attempt(prospect_id=prospect.pk, acting_user=agent, result="reached", at=local(2, 19))
    services.prospect_transition(prospect_id=prospect.pk, action="archive", acting_user=agent)
    services.campaign_create(
        dealer=dealer,
        acting_user=sales_manager,
        name="春季促销",
        starts_on=local(3, 9).date(),
        ends_on=local(20, 9).date(),
        prospects=[prospect],
    )
    Prospect.objects.filter(pk=prospect.pk).update(contacting_since=local(3, 8), next_contact_at=local(3, 8))
    prospect = services.prospect_record_attempt(
        prospect_id=prospect.pk, acting_user=agent, result="no_answer", at=local(3, 9)
    )
    assert prospect.status == Status.CONTACTING


# --- Conversion ----------------------------------------------------------------------------------------------------


def test_winning_creates_the_customer_and_vehicle_once(prospect, agent):
    prospect = put(prospect, Status.APPOINTMENT)
    for _ in range(2):
        services.prospect_transition(
            prospect_id=prospect.pk, action="win", acting_user=agent, vin=make_vin(900), model="雷凌"
        )
    prospect.refresh_from_db()
    assert prospect.status == Status.WON
    customer = Customer.objects.get()
    assert (customer.mobile, customer.name, customer.owner) == (prospect.phone, prospect.name, agent)
    vehicle = Vehicle.objects.get()
    assert (vehicle.customer, vehicle.model, prospect.vehicle) == (customer, "雷凌", vehicle)


def test_winning_links_an_existing_customer(prospect, agent, dealer):
    customer = CustomerFactory(dealer=dealer, mobile=prospect.phone)
    prospect = put(prospect, Status.APPOINTMENT)
    services.prospect_transition(prospect_id=prospect.pk, action="win", acting_user=agent)
    prospect.refresh_from_db()
    assert prospect.customer == customer and prospect.vehicle is None
    assert Customer.objects.count() == 1


def test_a_bad_vin_is_a_field_error_and_writes_nothing(prospect, agent):
    prospect = put(prospect, Status.APPOINTMENT)
    with pytest.raises(ValidationError) as exc:
        services.prospect_transition(prospect_id=prospect.pk, action="win", acting_user=agent, vin="ABC")
    assert "vin" in exc.value.error_dict
    assert Customer.objects.count() == 0 and Prospect.objects.get(pk=prospect.pk).status == Status.APPOINTMENT


# --- Campaigns -----------------------------------------------------------------------------------------------------


def test_campaign_selects_archived_and_lost_by_filters(dealer, other_dealer, agent, sales_manager):
    archived = put(ProspectFactory(dealer=dealer, owner=agent, model_of_interest="凯美瑞", grade="A"), Status.ARCHIVED)
    lost = put(ProspectFactory(dealer=dealer, owner=agent, model_of_interest="凯美瑞 混动", grade="A"), Status.LOST)
    put(ProspectFactory(dealer=dealer, owner=agent, model_of_interest="雷凌", grade="A"), Status.ARCHIVED)
    put(ProspectFactory(dealer=dealer, owner=agent, model_of_interest="凯美瑞", grade="C"), Status.ARCHIVED)
    ProspectFactory(dealer=dealer, owner=agent, model_of_interest="凯美瑞", grade="A")  # open: not in the pool
    put(ProspectFactory(dealer=other_dealer, owner=agent, model_of_interest="凯美瑞", grade="A"), Status.ARCHIVED)
    recent = put(
        ProspectFactory(dealer=dealer, owner=agent, model_of_interest="凯美瑞", grade="A"),
        Status.ARCHIVED,
        last_contact_at=timezone.now(),
    )
    candidates = selectors.campaign_candidates(
        user=sales_manager,
        dealer_id=dealer.pk,
        model="凯美瑞",
        grade="A",
        last_contact_before=timezone.localdate() - timedelta(days=30),
    )
    assert set(candidates) == {archived, lost}
    assert recent not in candidates
    campaign = services.campaign_create(
        dealer=dealer,
        acting_user=sales_manager,
        name="凯美瑞置换季",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=14),
        prospects=list(candidates),
    )
    for prospect in (archived, lost):
        prospect.refresh_from_db()
        assert prospect.status == Status.CONTACTING
        assert prospect.campaign == campaign
        assert prospect in selectors.prospect_due(user=agent)
    assert CampaignTarget.objects.filter(campaign=campaign).count() == 2
    assert set(CampaignTarget.objects.values_list("previous_status", flat=True)) == {"archived", "lost"}


def test_an_agent_cannot_run_a_campaign(dealer, agent, prospect):
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            dealer=dealer,
            acting_user=agent,
            name="x",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            prospects=[prospect],
        )


# --- Funnel --------------------------------------------------------------------------------------------------------


def test_funnel_counts_each_stage_by_source(dealer, agent, sales_manager):
    ProspectFactory(dealer=dealer, owner=agent, source="walk_in")
    put(ProspectFactory(dealer=dealer, owner=agent, source="walk_in"), Status.FOLLOWING, contacted_at=timezone.now())
    put(
        ProspectFactory(dealer=dealer, owner=agent, source="walk_in"),
        Status.WON,
        contacted_at=timezone.now(),
        appointment_at=timezone.now(),
    )
    ProspectFactory(dealer=dealer, owner=agent, source="website")
    rows = {row["key"]: row for row in selectors.prospect_funnel(user=sales_manager, by="source")}
    assert (rows["walk_in"]["new"], rows["walk_in"]["contacted"], rows["walk_in"]["appointment"]) == (3, 2, 1)
    assert rows["walk_in"]["won"] == 1 and rows["website"]["new"] == 1
    assert len(selectors.prospect_funnel(user=sales_manager, by="month")) == 1


def test_demo_data_covers_every_state_and_grade(dealer, agent, sales_manager):
    from prospects.demo import seed_prospects

    seed_prospects(dealer=dealer, users=[agent, sales_manager])
    statuses = set(Prospect.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert set(Prospect.objects.values_list("grade", flat=True)) == {"H", "A", "B", "C"}
    assert set(ContactAttempt.objects.values_list("slot", flat=True)) == {"morning", "afternoon", "evening"}
    assert Customer.objects.count() >= 2 and CampaignTarget.objects.exists()


def test_a_new_vehicle_needs_a_model(dealer, agent):
    prospect = put(ProspectFactory(dealer=dealer, owner=agent, model_of_interest=""), Status.APPOINTMENT)
    with pytest.raises(ValidationError) as exc:
        services.prospect_transition(prospect_id=prospect.pk, action="win", acting_user=agent, vin=make_vin(7))
    assert "model" in exc.value.error_dict
    assert Customer.objects.count() == 0
