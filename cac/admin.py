from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin
from axes.admin import AccessLogAdmin as LoginLogAdmin
from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as LoginLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from cac.cti.lines import cti_endpoint_url, cti_line_create, cti_line_rotate
from cac.models import (
    AccessLog,
    CallLog,
    CtiCall,
    CtiLine,
    Customer,
    Dealer,
    DealerHoliday,
    FailedTask,
    Notification,
    SmsMessage,
    SmsTemplate,
    StateCalendarDay,
    User,
    Vehicle,
)
from cac.security.access import grantable_dealers, grantable_roles, manageable_users, user_may_manage
from cac.security.admin_scoping import (
    DealerScopedAdminMixin,
    DealerScopedInlineMixin,
    ManagedUserScopedAdminMixin,
    register_scoped,
)


class DealerHolidayInline(DealerScopedInlineMixin, admin.TabularInline):
    model = DealerHoliday
    fields = ["date", "name", "is_open"]
    extra = 0


@admin.register(DealerHoliday)
class DealerHolidayAdmin(DealerScopedAdminMixin, SimpleHistoryAdmin):
    """A dealer's own days: closed on a working day, or open on a state holiday or a weekend."""

    list_display = ["dealer", "date", "name", "is_open"]
    list_filter = ["dealer", "is_open"]
    date_hierarchy = "date"


@admin.register(StateCalendarDay)
class StateCalendarDayAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    """Read only: `load_state_calendar` keeps these from the chinesecalendar library. The group's calendar, shown
    to the platform's operator; a dealer's administrator sets the dealer's own open and closed days instead."""

    dealer_lookup = None

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
class DealerAdmin(DealerScopedAdminMixin, SimpleHistoryAdmin):
    dealer_lookup = "pk"
    list_display = ["code", "name", "phone", "opens_at", "closes_at"]
    search_fields = ["code", "name"]
    inlines = [DealerHolidayInline]

    # A new dealer, or one taken away, is the platform operator's decision.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(DealerScopedAdminMixin, BaseUserAdmin, SimpleHistoryAdmin):
    """Superusers get Django's whole form. A dealer's administrator gets name, password, roles and dealers of the
    users it may manage (`cac.security.access`), with only the roles and dealers it may give, and never its own roles or
    dealers; superuser and staff status and single permissions are not on its form at all."""

    dealer_lookup = "dealers"
    fieldsets = [*BaseUserAdmin.fieldsets, (_("Dealers"), {"fields": ["dealers", "phone", "language", "extension"]})]
    filter_horizontal = ["groups", "user_permissions", "dealers"]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    history_list_display = ["roles_then", "dealers_then"]
    dealer_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email", "phone", "language", "extension"]}),
        (_("Roles and dealers"), {"fields": ["is_active", "groups", "dealers"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    dealer_add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "usable_password", "password1", "password2"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email", "phone", "language", "extension"]}),
        (_("Roles and dealers"), {"fields": ["groups", "dealers"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=manageable_users(user=request.user).values("pk"))

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.dealer_add_fieldsets if obj is None else self.dealer_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        readonly = ["last_login", "date_joined"]
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["is_active", "groups", "dealers"]
        return readonly

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return super().get_list_filter(request)
        return ["is_active", ("groups", admin.RelatedOnlyFieldListFilter)]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "dealers" in form.base_fields:
            # A user without a dealer would vanish from its administrator's list.
            form.base_fields["dealers"].required = True
        return form

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = grantable_roles(user=request.user)
        elif db_field.name == "dealers":
            kwargs["queryset"] = grantable_dealers(user=request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not user_may_manage(user=request.user, target=obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.pk == request.user.pk or not user_may_manage(user=request.user, target=obj)):
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("roles"))
    def roles_then(self, record):
        return ", ".join(sorted(str(row.group) for row in record.groups.all()))

    @admin.display(description=_("dealers"))
    def dealers_then(self, record):
        return ", ".join(sorted(row.dealer.code for row in record.dealers.all()))


@admin.register(Customer)
class CustomerAdmin(DealerScopedAdminMixin, SimpleHistoryAdmin):
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
        """One customer at a time, on the page that asks for the reason (cac.root.privacy_views.customer_erase)."""
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one customer to erase."), messages.WARNING)
            return None
        return redirect("customer_erase", customer_id=queryset.get().pk)

    def has_erase_permission(self, request):
        return request.user.has_perm("cac.erase_customer")


@admin.register(Vehicle)
class VehicleAdmin(DealerScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["vin", "plate", "model", "customer", "dealer"]
    search_fields = ["vin", "plate"]
    raw_id_fields = ["customer"]
    list_select_related = ["customer", "dealer"]
    show_full_result_count = False


@admin.register(CallLog)
class CallLogAdmin(DealerScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["started_at", "direction", "phone", "customer", "purpose", "handled_by", "dealer"]
    list_filter = ["dealer", "direction", "purpose", "callback_owed"]
    search_fields = ["phone"]
    raw_id_fields = ["customer", "handled_by"]
    list_select_related = ["customer", "handled_by", "dealer"]
    date_hierarchy = "started_at"
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    dealer_lookup = "recipient__dealers"
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind", "read_at"]
    search_fields = ["key", "title", "recipient__username"]
    raw_id_fields = ["recipient", "dealer"]
    readonly_fields = ["key", "created_at"]


@admin.register(FailedTask)
class FailedTaskAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    dealer_lookup = None
    list_display = ["failed_at", "task_name", "exception"]
    list_filter = ["task_name"]
    search_fields = ["task_name", "task_id", "exception"]
    readonly_fields = ["task_name", "task_id", "arguments", "exception", "traceback", "failed_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# The roles are the platform operator's; lockouts and authenticator devices are shown to the administrators of the
# users they concern, who clear a lockout or remove a lost phone's device.
register_scoped(admin.site, Group, GroupAdmin)
for _model, _admin in [
    (AccessAttempt, AccessAttemptAdmin),
    (LoginLog, LoginLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
]:
    register_scoped(admin.site, _model, _admin, mixin=ManagedUserScopedAdminMixin, user_lookup="username")
register_scoped(admin.site, TOTPDevice, TOTPDeviceAdmin, mixin=ManagedUserScopedAdminMixin, user_lookup="user")


@admin.register(AccessLog)
class AccessLogAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
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


class CtiLineForm(forms.ModelForm):
    class Meta:
        model = CtiLine
        fields = ["dealer", "number", "name", "blocked_numbers"]


@admin.register(CtiLine)
class CtiLineAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    """A line's token is made by `cac.cti.lines` and shown once, in the endpoint URL; "rotate" makes a new one."""

    form = CtiLineForm
    list_display = ["number", "name", "dealer", "token_rotated_at"]
    list_select_related = ["dealer"]
    search_fields = ["number", "name"]
    readonly_fields = ["token_rotated_at"]
    actions = ["rotate"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            line, token = cti_line_create(
                dealer=form.cleaned_data["dealer"],
                number=form.cleaned_data["number"],
                name=form.cleaned_data["name"],
                blocked_numbers=form.cleaned_data["blocked_numbers"],
            )
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return
        obj.pk = line.pk
        form.instance = line
        messages.warning(
            request, _("The line's address, shown this once only: %(url)s") % {"url": cti_endpoint_url(token)}
        )

    @admin.action(description=_("Give the selected lines a new address"))
    def rotate(self, request, queryset):
        for line in queryset:
            line, token = cti_line_rotate(line_id=line.pk)
            messages.warning(
                request,
                _("%(line)s: the new address, shown this once only: %(url)s")
                % {"line": line, "url": cti_endpoint_url(token)},
            )


@admin.register(CtiCall)
class CtiCallAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "call_id", "direction", "phone", "answered_by", "ended_at", "cause", "line"]
    list_filter = ["direction", "cause"]
    list_select_related = ["line", "answered_by"]
    search_fields = ["phone", "call_id"]
    raw_id_fields = ["customer", "answered_by", "agents"]
    date_hierarchy = "started_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SmsTemplate)
class SmsTemplateAdmin(DealerScopedAdminMixin, SimpleHistoryAdmin):
    """The SMS of each purpose as registered with the gateways: the group's (no dealer) or a dealer's own, which then
    replaces the group's for that dealer."""

    shared_when_no_dealer = True

    list_display = ["purpose", "dealer", "signature", "body", "alibaba_template_code", "tencent_template_id"]
    list_filter = ["purpose", ("dealer", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["dealer"]
    search_fields = ["body", "signature", "alibaba_template_code", "tencent_template_id"]


@admin.register(SmsMessage)
class SmsMessageAdmin(DealerScopedAdminMixin, SimpleHistoryAdmin):
    """Read-only: every SMS, its gateway's message id and receipt."""

    list_display = ["sent_at", "phone", "purpose", "status", "gateway", "gateway_reference", "reported_at", "dealer"]
    list_filter = ["status", "purpose", "gateway", ("dealer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["phone", "gateway_reference"]
    list_select_related = ["dealer"]
    date_hierarchy = "sent_at"
    readonly_fields = [field.name for field in SmsMessage._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
