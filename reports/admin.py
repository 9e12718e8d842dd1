from django.contrib import admin

from cac.security.admin_scoping import DealerScopedAdminMixin
from reports.models import CorrectiveAction, DealerTarget, MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    dealer_lookup = "dealers"
    list_display = ["month", "language", "status", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "language"]
    readonly_fields = ["status", "file", "finished_at", "error"]

    # A report is requested on /reports/ (reports.services queues and generates it), never added here.
    def has_add_permission(self, request):
        return False


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    list_display = ["action", "dealer", "month", "owner", "due_on", "status"]
    list_filter = ["status"]
    readonly_fields = ["status", "closed_at", "created_by"]
    raw_id_fields = ["complaints"]

    # Planned and closed on /reports/actions/ (reports.services checks owner, dates and complaints).
    def has_add_permission(self, request):
        return False


@admin.register(DealerTarget)
class DealerTargetAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    list_display = ["dealer", "acknowledged_on_time_pct", "resolved_on_time_pct", "oem_status_on_time_pct"]
    list_select_related = ["dealer"]
