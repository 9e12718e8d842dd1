from django.contrib import admin

from reports.models import MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ["month", "language", "status", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "language"]
    readonly_fields = ["status", "file", "finished_at", "error"]
