"""Admin of prospects. The grade horizons are edited here; prospects and campaigns are written by
prospects.services (state machine, history, attempts rule), so the admin only shows them."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cac.security.admin_scoping import DealerScopedAdminMixin
from prospects.models import Campaign, CampaignTarget, ContactAttempt, GradeHorizon, Prospect


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GradeHorizon)
class GradeHorizonAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    list_display = ["dealer", "grade", "horizon_days"]
    list_filter = ["dealer", "grade"]


class ContactAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ContactAttempt
    extra = 0
    fields = ["attempted_at", "slot", "result", "agent", "note"]
    readonly_fields = fields


@admin.register(Prospect)
class ProspectAdmin(DealerScopedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "phone", "dealer", "grade", "status", "owner", "next_contact_at"]
    list_filter = ["dealer", "status", "grade", "source"]
    search_fields = ["name", "phone"]
    inlines = [ContactAttemptInline]


class CampaignTargetInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CampaignTarget
    extra = 0
    fields = ["prospect", "owner", "previous_status"]
    readonly_fields = fields


@admin.register(Campaign)
class CampaignAdmin(DealerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "dealer", "starts_on", "ends_on", "created_by"]
    list_filter = ["dealer"]
    inlines = [CampaignTargetInline]
