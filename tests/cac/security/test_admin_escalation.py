"""Administration without escalation: what a dealer's administrator posts to the user admin, and what it gets."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from cac.models import User
from cac.roles import ROLE_PERMISSIONS
from cac.security.access import grantable_roles, user_may_manage
from tests.conftest import verify_two_factor


@pytest.fixture
def dealer_admin(make_user, dealer):
    return make_user("admin", dealer, username="gz-admin", is_staff=True, email="gz-admin@example.com")


@pytest.fixture
def admin_session(client, dealer_admin):
    client.force_login(dealer_admin)
    verify_two_factor(client, dealer_admin)
    return client


def _change_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "language": user.language,
        "extension": user.extension,
        "is_active": "on",
        "groups": [group.pk for group in user.groups.all()],
        "dealers": [dealer.pk for dealer in user.dealers.all()],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _change_url(user: User) -> str:
    return reverse("admin:cac_user_change", args=[user.pk])


def _refused_escalation(user: User) -> None:
    user.refresh_from_db()
    assert not user.is_superuser
    assert user.user_permissions.count() == 0


def test_posting_superuser_staff_and_permissions_on_its_own_form_changes_nothing(admin_session, dealer_admin):
    every_permission = list(Permission.objects.values_list("pk", flat=True)[:50])
    response = admin_session.post(
        _change_url(dealer_admin),
        _change_form(
            dealer_admin,
            is_superuser="on",
            is_staff="on",
            user_permissions=every_permission,
            first_name="敏",
        ),
    )
    assert response.status_code == 302
    dealer_admin.refresh_from_db()
    assert dealer_admin.first_name == "敏"  # the rest of the form was saved
    _refused_escalation(dealer_admin)


def test_an_administrator_cannot_change_its_own_roles_or_dealers(admin_session, dealer_admin, other_dealer):
    agent_role = Group.objects.get(name="agent")
    response = admin_session.post(
        _change_url(dealer_admin),
        _change_form(dealer_admin, groups=[agent_role.pk], dealers=[other_dealer.pk]),
    )
    assert response.status_code == 302
    assert list(dealer_admin.groups.values_list("name", flat=True)) == ["admin"]
    assert list(dealer_admin.dealers.values_list("code", flat=True)) == ["GZ01"]
    page = admin_session.get(_change_url(dealer_admin)).content.decode()
    assert 'name="groups"' not in page and 'name="dealers"' not in page
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page


def test_another_dealers_id_is_refused_with_a_field_error(admin_session, agent, other_dealer, dealer):
    response = admin_session.post(_change_url(agent), _change_form(agent, dealers=[dealer.pk, other_dealer.pk]))
    assert response.status_code == 200
    assert "dealers" in response.context["adminform"].form.errors
    assert list(agent.dealers.values_list("code", flat=True)) == ["GZ01"]


def test_superuser_staff_and_permissions_posted_for_an_agent_are_ignored(admin_session, agent):
    permission = Permission.objects.get(codename="delete_customer")
    response = admin_session.post(
        _change_url(agent),
        _change_form(agent, is_superuser="on", is_staff="on", user_permissions=[permission.pk], last_name="李"),
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.last_name == "李"
    assert not agent.is_staff
    _refused_escalation(agent)


def test_a_role_beyond_its_own_permissions_is_refused(admin_session, agent):
    auditor = Group.objects.create(name="auditor")
    auditor.permissions.add(Permission.objects.get(codename="delete_customer"))
    response = admin_session.post(_change_url(agent), _change_form(agent, groups=[auditor.pk]))
    assert response.status_code == 200
    assert "groups" in response.context["adminform"].form.errors
    assert not agent.groups.filter(name="auditor").exists()


def test_every_demo_role_is_within_the_administrators(dealer_admin):
    assert set(grantable_roles(user=dealer_admin).values_list("name", flat=True)) == set(ROLE_PERMISSIONS)


def test_the_administrator_gives_a_role_and_its_dealer(admin_session, agent):
    manager = Group.objects.get(name="service_manager")
    response = admin_session.post(_change_url(agent), _change_form(agent, groups=[manager.pk]))
    assert response.status_code == 302
    assert list(agent.groups.values_list("name", flat=True)) == ["service_manager"]


def test_users_of_another_dealer_or_of_several_dealers_and_superusers_are_out_of_reach(
    admin_session, dealer_admin, make_user, dealer, other_dealer
):
    theirs = make_user("agent", other_dealer, username="sz-agent")
    both = make_user("agent", dealer, other_dealer, username="group-agent")
    root = User.objects.create_superuser("root", "root@example.com", "a-long-operator-password")
    root.dealers.add(dealer)
    for user in (theirs, both, root):
        response = admin_session.get(_change_url(user))
        assert response.status_code == 302 and response.url == reverse("admin:index"), user
        # Setting the password would be taking the account over.
        response = admin_session.post(
            reverse("admin:auth_user_password_change", args=[user.pk]),
            {"password1": "a-brand-new-password-1", "password2": "a-brand-new-password-1"},
        )
        assert response.status_code in (302, 404), user
        user.refresh_from_db()
        assert not user.check_password("a-brand-new-password-1"), user
        assert not user_may_manage(user=dealer_admin, target=user)
    listed = {row.username for row in admin_session.get(reverse("admin:cac_user_changelist")).context["cl"].result_list}
    assert listed == {"gz-admin"}


def test_a_user_with_more_permissions_than_the_administrator_is_shown_not_changed(admin_session, make_user, dealer):
    special = make_user("agent", dealer, username="special")
    special.user_permissions.add(Permission.objects.get(codename="delete_customer"))
    assert admin_session.get(_change_url(special)).status_code == 200  # view only
    response = admin_session.post(_change_url(special), _change_form(special, first_name="X"))
    assert response.status_code == 403
    special.refresh_from_db()
    assert special.first_name != "X"


def test_a_new_user_gets_only_the_administrators_dealers_and_roles(admin_session, dealer, other_dealer):
    add_url = reverse("admin:cac_user_add")
    agent_role = Group.objects.get(name="agent")
    base = {
        "username": "new-agent",
        "usable_password": "true",
        "password1": "a-long-enough-password-2026",
        "password2": "a-long-enough-password-2026",
        "groups": [agent_role.pk],
        "language": "zh-hans",
        "is_superuser": "on",
        "is_staff": "on",
    }
    response = admin_session.post(add_url, {**base, "dealers": [other_dealer.pk]})
    assert response.status_code == 200 and "dealers" in response.context["adminform"].form.errors
    response = admin_session.post(add_url, base)  # no dealer: it would vanish from the administrator's list
    assert response.status_code == 200 and "dealers" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="new-agent").exists()
    response = admin_session.post(add_url, {**base, "dealers": [dealer.pk]})
    assert response.status_code == 302
    created = User.objects.get(username="new-agent")
    assert not created.is_superuser and not created.is_staff
    assert list(created.dealers.values_list("code", flat=True)) == ["GZ01"]
    assert list(created.groups.values_list("name", flat=True)) == ["agent"]


def test_a_short_or_common_password_is_refused(admin_session, dealer):
    response = admin_session.post(
        reverse("admin:cac_user_add"),
        {
            "username": "weak",
            "usable_password": "true",
            "password1": "password123",
            "password2": "password123",
            "dealers": [dealer.pk],
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors.get("password2", []))
    assert "12" in errors
    assert not User.objects.filter(username="weak").exists()


def test_who_gave_an_agent_access_to_another_dealer_is_in_the_history(client, agent, other_dealer):
    operator = User.objects.create_superuser("operator", "op@example.com", "a-long-operator-password")
    client.force_login(operator)
    verify_two_factor(client, operator)
    response = client.post(
        _change_url(agent),
        {
            **_change_form(agent, dealers=[*agent.dealers.values_list("pk", flat=True), other_dealer.pk]),
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    granted = [
        record
        for record in agent.history.order_by("history_date", "history_id")
        if "SZ02" in {row.dealer.code for row in record.dealers.all()}
    ][0]
    assert granted.history_user == operator
    page = client.get(reverse("admin:cac_user_history", args=[agent.pk])).content.decode()
    assert "SZ02" in page and "operator" in page


def test_reverting_a_user_to_an_old_superuser_version_is_refused(admin_session, agent):
    agent.is_superuser = True
    agent.save()
    old = agent.history.latest("history_date")
    agent.is_superuser = False
    agent.save()
    url = reverse("admin:cac_user_simple_history", args=[agent.pk, old.history_id])
    assert admin_session.get(url).status_code == 200  # the old version may be looked at
    response = admin_session.post(url, _change_form(agent))
    assert response.status_code == 403
    agent.refresh_from_db()
    assert not agent.is_superuser
