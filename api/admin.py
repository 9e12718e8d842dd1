"""Admin of the integration API: keys are made and revoked through api.keys (the key is shown once), the OEM
contacts and endpoint of each dealer are edited here, the access log and the reports are only shown."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from api.keys import api_key_create, api_key_revoke, api_key_sync_account
from api.models import (
    ApiAccessLog,
    ApiKey,
    ComplaintEvent,
    DealerOemSettings,
    OemReport,
    Scope,
    WebhookDelivery,
    WebhookEndpoint,
)
from cac.security.admin_scoping import DealerScopedAdminMixin


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["name", "dealers", "scopes"]


@admin.register(ApiKey)
class ApiKeyAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    dealer_lookup = "dealers"
    form = ApiKeyForm
    list_display = ["name", "prefix", "scope_list", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]
    filter_horizontal = ["dealers"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, plain = api_key_create(
            name=form.cleaned_data["name"],
            dealers=form.cleaned_data["dealers"],
            scopes=form.cleaned_data["scopes"],
            acting_user=request.user,
        )
        obj.pk = key.pk
        form.instance = key
        messages.warning(request, _("The key, shown this once only: %(key)s") % {"key": plain})

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
            api_key_sync_account(key=form.instance)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the access log keeps pointing at it

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(key_id=key.pk)


@admin.register(ApiAccessLog)
class ApiAccessLogAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    dealer_lookup = "key__dealers"
    list_display = ["at", "key", "method", "endpoint", "status", "duration_ms"]
    list_filter = ["status", "method"]
    list_select_related = ["key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DealerOemSettings)
class DealerOemSettingsAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    list_display = ["dealer", "cac_email", "regional_manager_email", "after_sales_email", "webhook_url"]
    list_select_related = ["dealer"]
    fieldsets = [
        (None, {"fields": ["dealer", "language"]}),
        (
            _("OEM contacts"),
            {
                "fields": [
                    ("cac_name", "cac_email"),
                    ("regional_manager_name", "regional_manager_email"),
                    ("regional_engineer_name", "regional_engineer_email"),
                    ("after_sales_name", "after_sales_email"),
                ]
            },
        ),
        (_("Reports to the OEM"), {"fields": ["webhook_url", "webhook_secret", "progress_report_days"]}),
    ]


@admin.register(OemReport)
class OemReportAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    list_display = ["key", "dealer", "kind", "channel", "recipient", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "kind", "channel"]
    list_select_related = ["dealer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=200, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=ComplaintEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["dealer", "name", "url", "secret", "events", "is_active"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "dealer", "url", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["dealer"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(DealerScopedAdminMixin, admin.ModelAdmin):
    list_display = ["key", "dealer", "endpoint", "event", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "event"]
    list_select_related = ["dealer", "endpoint"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
