"""Admin of follow-up calls. The call scripts (questions per kind and dealer) are edited here; callbacks and their
attempts are written by callbacks.services (state machine, attempts rule, history), so the admin only shows them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cac.security.admin_scoping import DealerScopedAdminMixin
from callbacks.models import Callback, CallbackAttempt, Question


class ReadOnlyAdminMixin:
    """Shown, never written from the admin: the services keep the history and the invariants."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CallbackAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CallbackAttempt
    extra = 0
    fields = ["attempted_at", "slot", "result", "agent", "note", "call"]
    readonly_fields = fields


@admin.register(Callback)
class CallbackAdmin(DealerScopedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "dealer", "kind", "status", "due_at", "agent", "satisfaction", "completed_at"]
    list_filter = ["dealer", "status", "kind", ("agent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["customer__name", "customer__mobile", "vehicle__vin", "vehicle__plate"]
    list_select_related = ["dealer", "customer", "agent"]
    date_hierarchy = "due_at"
    show_full_result_count = False
    raw_id_fields = ["customer", "vehicle", "sale", "service_visit", "complaint", "raised_complaint"]
    inlines = [CallbackAttemptInline]
    fieldsets = [
        (None, {"fields": ["dealer", "customer", "vehicle", "kind", "status", "due_at", "agent", "excluded_agent"]}),
        (_("What it follows"), {"fields": ["sale", "service_visit", "complaint", "care_key"]}),
        (
            _("Outcome"),
            {
                "fields": [
                    "satisfaction",
                    "answers",
                    "remarks",
                    "raised_complaint",
                    "completed_at",
                    "next_attempt_at",
                    "cancel_reason",
                ]
            },
        ),
    ]


@admin.register(Question)
class QuestionAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    """The call script of each kind of follow-up call: the default one (no dealer), or a dealer's own, which then
    replaces the default for that dealer."""

    shared_when_no_dealer = True

    list_display = ["text", "text_en", "kind", "dealer", "position", "answer_type", "required"]
    list_editable = ["position", "answer_type", "required"]
    list_filter = ["kind", ("dealer", admin.RelatedOnlyFieldListFilter), "answer_type"]
    list_select_related = ["dealer"]
    search_fields = ["text", "text_en"]
    ordering = ["kind", "dealer", "position", "id"]
