"""Permissions come from the role (group) and from grants to one user, read together in one query."""

from django.contrib.auth.models import Permission

from cac.models import User


def test_role_and_personal_permissions_are_read_in_one_query(make_user, dealer, django_assert_num_queries):
    user = make_user("executive", dealer, username="boss")
    user.user_permissions.add(Permission.objects.get(codename="add_calllog", content_type__app_label="cac"))
    user = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert user.has_perm("cac.view_customer")  # from the executive role
        assert user.has_perm("cac.add_calllog")  # granted to this user alone
        assert not user.has_perm("cac.add_customer")
        assert user.has_perm("cac.view_calllog")


def test_superusers_have_every_permission_and_inactive_users_none(db):
    root = User.objects.create_superuser("root", password="pw-for-tests-only")
    assert root.has_perm("complaints.manage_complaint")
    gone = User.objects.create_user("gone", password="pw-for-tests-only", is_active=False)
    gone.user_permissions.add(Permission.objects.get(codename="view_customer", content_type__app_label="cac"))
    assert not User.objects.get(pk=gone.pk).has_perm("cac.view_customer")
