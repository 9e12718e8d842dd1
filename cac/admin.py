from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cac.models import AccessLog, CallLog, Customer, Dealer, DealerHoliday, FailedTask, Notification, User, Vehicle


class DealerHolidayInline(admin.TabularInline):
    model = DealerHoliday
    extra = 0


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
    readonly_fields = ["erased_at"]
    actions = ["erase_personal_data"]

    @admin.action(description=_("Erase personal data (on the customer's request)"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        """One customer at a time, on the page that asks for the reason (cac.privacy_views.customer_erase)."""
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one customer to erase."), messages.WARNING)
            return None
        return redirect("customer_erase", customer_id=queryset.get().pk)

    def has_erase_permission(self, request):
        return request.user.has_perm("cac.erase_customer")


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


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: who accessed which personal data, when and from where."""

    list_display = ["at", "user", "action", "record_type", "record_id", "dealer", "ip_address", "reason"]
    list_filter = ["action", "dealer", ("user", admin.RelatedOnlyFieldListFilter), "at"]
    date_hierarchy = "at"
    search_fields = ["user__username", "ip_address", "reason"]
    list_select_related = ["user", "dealer", "record_type"]
    readonly_fields = [field.name for field in AccessLog._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
