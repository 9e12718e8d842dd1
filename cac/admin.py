from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cac.models import (
    CallLog,
    Customer,
    Dealer,
    DealerHoliday,
    FailedTask,
    Notification,
    StateCalendarDay,
    User,
    Vehicle,
)


class DealerHolidayInline(admin.TabularInline):
    model = DealerHoliday
    fields = ["date", "name", "is_open"]
    extra = 0


@admin.register(DealerHoliday)
class DealerHolidayAdmin(SimpleHistoryAdmin):
    """A dealer's own days: closed on a working day, or open on a state holiday or a weekend."""

    list_display = ["dealer", "date", "name", "is_open"]
    list_filter = ["dealer", "is_open"]
    date_hierarchy = "date"


@admin.register(StateCalendarDay)
class StateCalendarDayAdmin(admin.ModelAdmin):
    """Read only: `load_state_calendar` keeps these from the chinesecalendar library."""

    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Dealer)
class DealerAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "phone", "opens_at", "closes_at"]
    search_fields = ["code", "name"]
    inlines = [DealerHolidayInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    fieldsets = [*BaseUserAdmin.fieldsets, (_("Dealers"), {"fields": ["dealers", "phone"]})]
    filter_horizontal = ["groups", "user_permissions", "dealers"]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "mobile", "dealer", "owner", "preferred_channel"]
    list_filter = ["dealer", "preferred_channel"]
    search_fields = ["name", "mobile"]
    raw_id_fields = ["owner"]
    list_select_related = ["dealer", "owner"]
    show_full_result_count = False


@admin.register(Vehicle)
class VehicleAdmin(SimpleHistoryAdmin):
    list_display = ["vin", "plate", "model", "customer", "dealer"]
    search_fields = ["vin", "plate"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer", "dealer"]
    show_full_result_count = False


@admin.register(CallLog)
class CallLogAdmin(SimpleHistoryAdmin):
    list_display = ["started_at", "direction", "phone", "customer", "purpose", "handled_by", "dealer"]
    list_filter = ["dealer", "direction", "purpose", "callback_owed"]
    search_fields = ["phone"]
    raw_id_fields = ["customer", "handled_by"]
    list_select_related = ["customer", "handled_by", "dealer"]
    date_hierarchy = "started_at"
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind", "read_at"]
    search_fields = ["key", "title", "recipient__username"]
    raw_id_fields = ["recipient", "dealer"]
    readonly_fields = ["key", "created_at"]


@admin.register(FailedTask)
class FailedTaskAdmin(admin.ModelAdmin):
    list_display = ["failed_at", "task_name", "exception"]
    list_filter = ["task_name"]
    search_fields = ["task_name", "task_id", "exception"]
    readonly_fields = ["task_name", "task_id", "arguments", "exception", "traceback", "failed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
