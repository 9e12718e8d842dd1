"""Admin of complaints. The deadline policy is edited here; complaints and their rows are written by
complaints.services (numbering, deadlines, state machine, history), so the admin only shows them."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cac.security.admin_scoping import DealerScopedAdminMixin
from complaints.models import (
    Attachment,
    AuthorityRequest,
    Complaint,
    ComplaintSLA,
    EngineerDispatch,
    Escalation,
    KeyAttentionVehicle,
)


class ReadOnlyAdminMixin:
    """Shown, never written from the admin: the services keep the history and the invariants."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EscalationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Escalation
    extra = 0
    fields = ["escalated_at", "from_level", "to_level", "reason", "note", "escalated_by"]
    readonly_fields = fields


class AuthorityRequestInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AuthorityRequest
    extra = 0
    fields = ["requested_at", "kind", "request", "requested_by", "answer", "answer_note", "answered_by", "answered_at"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["uploaded_at", "kind", "download", "size", "description", "uploaded_by"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("complaints:attachment", args=[obj.pk]), obj.original_name)


class EngineerDispatchInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = EngineerDispatch
    extra = 0
    fields = ["engineer", "called_at", "promised_arrival_at", "arrived_at", "appraisal_result"]
    readonly_fields = fields


@admin.register(Complaint)
class ComplaintAdmin(DealerScopedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "number",
        "dealer",
        "customer",
        "status",
        "severity",
        "category",
        "channel",
        "owner",
        "escalation_level",
        "received_at",
        "resolve_due_at",
    ]
    list_filter = [
        "dealer",
        "status",
        "severity",
        "department",
        "category",
        "channel",
        "escalation_level",
        "is_abnormal",
    ]
    search_fields = ["number", "customer__name", "customer__mobile", "oem_reference"]
    list_select_related = ["dealer", "customer", "owner"]
    date_hierarchy = "received_at"
    show_full_result_count = False
    raw_id_fields = ["customer", "vehicle", "owner", "calls"]
    inlines = [EscalationInline, AuthorityRequestInline, EngineerDispatchInline, AttachmentInline]


@admin.register(ComplaintSLA)
class ComplaintSLAAdmin(DealerScopedAdminMixin, SimpleHistoryAdmin):
    """The deadline policy by channel × severity (申诉管道管理): a blank channel or severity matches any; a dealer's
    own row beats the group's; the most specific row wins."""

    shared_when_no_dealer = True

    list_display = ["__str__", "dealer", "channel", "severity", "acknowledge_rule", "acknowledge_hours", "resolve_days"]
    list_editable = ["acknowledge_rule", "acknowledge_hours", "resolve_days"]
    list_filter = ["dealer", "channel", "severity"]
    list_select_related = ["dealer"]
    ordering = ["dealer", "channel", "severity"]


@admin.register(Escalation)
class EscalationAdmin(DealerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    dealer_lookup = "complaint__dealer"
    list_display = ["complaint", "from_level", "to_level", "reason", "escalated_by", "escalated_at"]
    list_filter = ["reason", "to_level"]
    search_fields = ["complaint__number"]
    list_select_related = ["complaint", "escalated_by"]
    date_hierarchy = "escalated_at"
    show_full_result_count = False


@admin.register(EngineerDispatch)
class EngineerDispatchAdmin(DealerScopedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    dealer_lookup = "complaint__dealer"
    list_display = ["complaint", "engineer", "called_at", "promised_arrival_at", "arrived_at"]
    search_fields = ["complaint__number", "engineer"]
    list_select_related = ["complaint"]


@admin.register(Attachment)
class AttachmentAdmin(DealerScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    dealer_lookup = "complaint__dealer"
    list_display = ["original_name", "complaint", "kind", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["complaint__number", "original_name"]
    list_select_related = ["complaint", "uploaded_by"]
    exclude = ["file"]  # files are served only by the view that checks the dealer
    readonly_fields = ["download"]
    show_full_result_count = False

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("complaints:attachment", args=[obj.pk]), obj.original_name)


@admin.register(KeyAttentionVehicle)
class KeyAttentionVehicleAdmin(DealerScopedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["vehicle", "dealer", "reason", "responsible", "since", "released_at"]
    list_filter = ["dealer", ("released_at", admin.EmptyFieldListFilter)]
    search_fields = ["vehicle__vin", "vehicle__plate", "reason"]
    list_select_related = ["vehicle", "dealer", "responsible"]
    raw_id_fields = ["vehicle", "responsible", "complaints"]
