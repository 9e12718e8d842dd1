"""Authentication backend: Django's model backend, with a user's permissions read in one query.

Roles are groups, but an administrator may still grant a permission to one user: both are read together, so every
page spends one query on permissions instead of two."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class RoleBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                # Two indexed subqueries: an OR across the two joins would read every permission row on each page.
                personal = Permission.user_set.through.objects.filter(user=user_obj).values("permission_id")
                of_roles = Permission.group_set.through.objects.filter(group__user=user_obj).values("permission_id")
                permissions = permissions.filter(Q(pk__in=personal) | Q(pk__in=of_roles))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list("content_type__app_label", "codename")
                .order_by()
                .distinct()
            }
        return user_obj._perm_cache
