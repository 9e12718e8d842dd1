"""The admin site, scoped by dealer: one rule for every ModelAdmin of every app.

A superuser (the platform's operator) sees and edits everything. Anyone else who reaches `/admin/` (a dealer's
administrator: the `admin` role with its dealers) sees only the rows of their own dealers, picks only their own
dealers and their rows in every choice and filter, and opens nothing else by URL: another dealer's row answers 404
like a row that does not exist. A row that belongs to several dealers (a user, a report of many dealers) is theirs
only when all of its dealers are. Rows without a dealer are the operator's, except where a model's empty dealer
means "the group's default" (`shared_when_no_dealer`): those are shown to every administrator, read-only.

Who may give which role and dealer is `cac.security.access` (one definition, used by the user admin here and its tests).
"""

from django.contrib import admin
from django.contrib.admin.utils import lookup_spawns_duplicates
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from cac.desk.selectors import dealer_ids
from cac.models import Dealer, User
from cac.security.access import manageable_users


def _related_field_path(model: type[Model], name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - not a field: a method or a lookup path left as it is
        return False
    return bool(field.is_relation and (field.many_to_one or field.one_to_one))


def scoped_choices(*, user: User, model: type[Model], queryset: QuerySet) -> QuerySet:
    """The rows of `model` a user may pick in an admin form: their dealers, their dealers' users, their rows."""
    if user.is_superuser:
        return queryset
    ids = dealer_ids(user=user)
    if model is Dealer:
        return queryset.filter(pk__in=ids)
    if issubclass(model, User):
        return queryset.filter(pk__in=manageable_users(user=user).values("pk"))
    fields = {field.name: field for field in model._meta.get_fields()}
    if "dealer" in fields and fields["dealer"].is_relation:
        return queryset.filter(dealer_id__in=ids)
    if "dealers" in fields and fields["dealers"].is_relation:
        return queryset.filter(dealers__in=ids).distinct()
    return queryset


class DealerScopedAdminMixin:
    """Put first in the bases of every ModelAdmin: `dealer_lookup` is the path from the model to its Dealer, or
    None for rows only the platform's operator may see (failed tasks, roles, lockouts by address)."""

    dealer_lookup: str | None = "dealer"
    # An empty dealer means "every dealer's default" (deadline policies, call scripts): shown, changed by superusers.
    shared_when_no_dealer = False

    # --- Reading -------------------------------------------------------------------------------------------

    def scope_queryset(self, request, queryset: QuerySet) -> QuerySet:
        user = request.user
        if user.is_superuser:
            return queryset
        if self.dealer_lookup is None:
            return queryset.none()
        ids = dealer_ids(user=user)
        lookup = self.dealer_lookup
        if lookup_spawns_duplicates(self.model._meta, lookup):
            manager = self.model._default_manager
            theirs = manager.filter(**{f"{lookup}__in": ids}).values("pk")
            elsewhere = manager.filter(**{f"{lookup}__in": Dealer.objects.exclude(pk__in=ids)}).values("pk")
            return queryset.filter(pk__in=theirs).exclude(pk__in=elsewhere)
        condition = Q(**{f"{lookup}__in": ids})
        if self.shared_when_no_dealer:
            condition |= Q(**{f"{lookup}__isnull": True})
        return queryset.filter(condition)

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def _in_scope(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        cache = request.__dict__.setdefault("_cac_admin_scope", {})
        key = (type(obj), obj.pk)
        if key not in cache:
            cache[key] = self.get_queryset(request).filter(pk=obj.pk).exists()
        return cache[key]

    def _is_shared(self, request, obj) -> bool:
        return (
            obj is not None
            and self.shared_when_no_dealer
            and not request.user.is_superuser
            and getattr(obj, f"{self.dealer_lookup}_id", None) is None
        )

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return (
            super().has_change_permission(request, obj)
            and self._in_scope(request, obj)
            and not self._is_shared(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            super().has_delete_permission(request, obj)
            and self._in_scope(request, obj)
            and not self._is_shared(request, obj)
        )

    def has_add_permission(self, request, *args):
        if self.dealer_lookup is None and not request.user.is_superuser:
            return False
        return super().has_add_permission(request, *args)

    # simple-history's pages find a row that is gone in its history: only rows of the user's dealers are shown.
    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        if request.method == "POST" and not request.user.is_superuser:
            # A revert saves the whole old row, fields off the form included (a user's old superuser status).
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return not request.user.is_superuser or super().revert_disabled(request, obj)

    def _require_in_scope(self, request, object_id) -> None:
        if request.user.is_superuser:
            return
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if self.shared_when_no_dealer and not request.user.is_superuser:
            # Edited in the list, the group's defaults would be changed too: each row is changed on its own page.
            changelist.list_editable = ()
        return changelist

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        field = form.base_fields.get(self.dealer_lookup or "")
        if self.shared_when_no_dealer and not request.user.is_superuser and field is not None:
            field.required = True  # an empty dealer is every dealer's default: the operator's to set
        return form

    # --- Choices in forms and filters ----------------------------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_choices(user=request.user, model=db_field.related_model, queryset=field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_choices(user=request.user, model=db_field.related_model, queryset=field.queryset)
        return field

    def get_list_filter(self, request):
        """A filter by dealer (or customer, owner …) offers only the values found among the rows shown."""
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and _related_field_path(self.model, entry):
                entry = (entry, admin.RelatedOnlyFieldListFilter)
            filters.append(entry)
        return filters


class DealerScopedInlineMixin:
    """The same choices for the rows edited inline (holidays of a dealer …); the parent's scope covers the rows."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_choices(user=request.user, model=db_field.related_model, queryset=field.queryset)
        return field


class ManagedUserScopedAdminMixin(DealerScopedAdminMixin):
    """Rows about one user (lockouts, devices): those of the users one may manage (`cac.security.access`)."""

    dealer_lookup = None
    user_lookup = "user"  # a foreign key to the user, or "username"

    def scope_queryset(self, request, queryset: QuerySet) -> QuerySet:
        if request.user.is_superuser:
            return queryset
        users = manageable_users(user=request.user)
        key = "username" if self.user_lookup.endswith("username") else "pk"
        return queryset.filter(**{f"{self.user_lookup}__in": users.values(key)})


def register_scoped(
    site: admin.AdminSite,
    model: type[Model],
    admin_class: type[admin.ModelAdmin],
    *,
    mixin=DealerScopedAdminMixin,
    **attrs,
) -> None:
    """Register a third-party model's admin again, behind a scoping mixin (by default: the operator's only)."""
    if site.is_registered(model):
        site.unregister(model)
    attrs.setdefault("dealer_lookup", None)
    site.register(model, type(admin_class.__name__, (mixin, admin_class), attrs))
