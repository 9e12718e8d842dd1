from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("actions/", views.action_list, name="actions"),
    path("actions/<int:action_id>/close/", views.action_close, name="action_close"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<int:report_id>/", views.report_preview, name="preview"),
    path("<int:report_id>/row/", views.report_row, name="row"),
    path("<int:report_id>/download/", views.report_download, name="download"),
    path("<int:report_id>/delete/", views.report_delete, name="delete"),
    path("<int:report_id>/export.csv", views.report_csv, name="csv"),
    path("<int:report_id>/export.xlsx", views.report_xlsx, name="xlsx"),
]
