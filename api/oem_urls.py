from django.urls import path

from api import oem_views

app_name = "oem_reports"

urlpatterns = [
    path("", oem_views.oem_report_list, name="list"),
    path("<int:report_id>/resend/", oem_views.oem_report_resend_view, name="resend"),
    path("webhooks/<int:delivery_id>/resend/", oem_views.webhook_delivery_resend_view, name="resend_webhook"),
]
