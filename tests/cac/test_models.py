"""The shared core's models: constraints, history, names and the role groups."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction

from cac.models import CallLog, Customer, Vehicle
from cac.roles import ROLE_PERMISSIONS, sync_roles
from tests.cac.factories import CallLogFactory, CustomerFactory, UserFactory, VehicleFactory, make_vin

pytestmark = pytest.mark.django_db


# --- Unique constraints -------------------------------------------------------------------------


def test_a_mobile_number_is_unique_per_dealer(dealer):
    CustomerFactory(dealer=dealer, mobile="13800138000")
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerFactory(dealer=dealer, mobile="13800138000")
    assert Customer.objects.filter(mobile="13800138000").count() == 1


def test_the_same_mobile_may_be_a_customer_of_two_dealers(dealer, other_dealer):
    CustomerFactory(dealer=dealer, mobile="13800138000")
    CustomerFactory(dealer=other_dealer, mobile="13800138000")
    assert Customer.objects.filter(mobile="13800138000").count() == 2


def test_a_vin_is_unique_per_dealer(dealer):
    VehicleFactory(customer__dealer=dealer, vin=make_vin(1))
    with pytest.raises(IntegrityError), transaction.atomic():
        VehicleFactory(customer__dealer=dealer, vin=make_vin(1))
    assert Vehicle.objects.filter(vin=make_vin(1)).count() == 1


def test_the_same_vin_may_be_registered_at_two_dealers(dealer, other_dealer):
    VehicleFactory(customer__dealer=dealer, vin=make_vin(1))
    VehicleFactory(customer__dealer=other_dealer, vin=make_vin(1))
    assert Vehicle.objects.filter(vin=make_vin(1)).count() == 2


def test_a_call_cannot_last_more_than_six_hours(dealer):
    CallLogFactory(customer__dealer=dealer, duration_seconds=6 * 60 * 60)
    with pytest.raises(IntegrityError), transaction.atomic():
        CallLogFactory(customer__dealer=dealer, duration_seconds=6 * 60 * 60 + 1)


# --- History ----------------------------------------------------------------------------------------


def test_history_rows_record_who_changed_the_customer(dealer, agent):
    customer = Customer(dealer=dealer, name="王芳", mobile="13800138000")
    customer._history_user = agent
    customer.save()
    other = UserFactory(username="editor")
    customer.name = "王小芳"
    customer._history_user = other
    customer.save(update_fields=["name", "updated_at"])

    rows = list(customer.history.order_by("history_id"))
    assert [(row.history_type, row.name, row.history_user) for row in rows] == [
        ("+", "王芳", agent),
        ("~", "王小芳", other),
    ]
    assert rows[-1].prev_record == rows[0]


def test_history_rows_are_written_for_vehicles_and_calls(dealer, agent):
    vehicle = VehicleFactory.build(customer=CustomerFactory(dealer=dealer), dealer=dealer)
    vehicle._history_user = agent
    vehicle.save()
    call = CallLogFactory.build(customer=vehicle.customer, dealer=dealer, handled_by=agent)
    call._history_user = agent
    call.save()
    assert vehicle.history.get().history_user == agent
    assert call.history.get().history_user == agent


def test_user_history_does_not_keep_the_password(db):
    user = UserFactory(username="history-check")
    assert not hasattr(user.history.model, "password")
    assert user.history.count() == 1


# --- Names and display --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "full"),
    [
        ("芳", "王", "王芳"),
        ("小明", "欧阳", "欧阳小明"),
        (" 芳 ", " 王 ", "王芳"),
        ("Fang", "Wang", "Fang Wang"),
        ("Anna", "", "Anna"),
        ("", "Smith", "Smith"),
        ("", "", ""),
    ],
)
def test_full_name_reads_family_name_first_for_chinese_names(first, last, full):
    user = UserFactory.build(username="someone", first_name=first, last_name=last)
    assert user.get_full_name() == full


def test_a_user_without_a_name_is_shown_by_username():
    assert str(UserFactory.build(username="zhang.wei")) == "zhang.wei"
    assert str(UserFactory.build(username="zhang.wei", first_name="伟", last_name="张")) == "张伟"


def test_customer_and_call_display_the_mobile_in_groups(dealer):
    customer = CustomerFactory.build(dealer=dealer, name="王芳", mobile="13800138000")
    assert str(customer) == "王芳 138 0013 8000"
    call = CallLog(phone="13800138000", duration_seconds=205)
    assert call.phone_display == "138 0013 8000"
    assert call.duration_display == "3:25"
    assert CallLog(duration_seconds=None).duration_display == ""
    assert CallLog(phone="01065529988").phone_display == "01065529988"


# --- Roles --------------------------------------------------------------------------------------------


def _group_permissions(group: Group) -> set[str]:
    return {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_the_migration_created_every_role_with_exactly_its_permissions():
    # No `roles` fixture here: the groups must come from the data migration 0002_roles.
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLE_PERMISSIONS)
    for role, perms in ROLE_PERMISSIONS.items():
        assert _group_permissions(Group.objects.get(name=role)) == set(perms), role


def test_the_listen_to_recording_permission_exists():
    assert Permission.objects.filter(content_type__app_label="cac", codename="listen_to_recording").exists()


def test_executive_is_read_only():
    perms = _group_permissions(Group.objects.get(name="executive"))
    assert perms
    # Requesting a monthly report changes none of the CAC's records: the one write an executive may make.
    assert all(perm.split(".")[1].startswith("view_") for perm in perms - {"reports.add_monthlyreport"})


def test_sync_roles_restores_drifted_permissions():
    agent = Group.objects.get(name="agent")
    agent.permissions.add(Permission.objects.get(content_type__app_label="cac", codename="delete_customer"))
    agent.permissions.remove(Permission.objects.get(content_type__app_label="cac", codename="add_calllog"))
    Group.objects.filter(name="executive").delete()

    sync_roles()
    sync_roles()  # idempotent

    assert _group_permissions(Group.objects.get(name="agent")) == set(ROLE_PERMISSIONS["agent"])
    assert _group_permissions(Group.objects.get(name="executive")) == set(ROLE_PERMISSIONS["executive"])
    assert Group.objects.filter(name__in=ROLE_PERMISSIONS).count() == len(ROLE_PERMISSIONS)


@pytest.mark.parametrize(
    ("role", "perm", "has"),
    [
        ("agent", "cac.add_calllog", True),
        ("agent", "cac.listen_to_recording", True),
        ("agent", "cac.change_calllog", False),
        ("service_manager", "cac.change_calllog", True),
        ("executive", "cac.view_calllog", True),
        ("executive", "cac.add_calllog", False),
        ("executive", "cac.listen_to_recording", False),
        ("admin", "cac.add_user", True),
        ("director", "cac.add_user", False),
    ],
)
def test_users_get_their_roles_permissions(make_user, dealer, role, perm, has):
    assert make_user(role, dealer).has_perm(perm) is has
