from django.urls import path

from complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_create, name="create"),
    path("mine/", views.complaint_mine, name="mine"),
    path("triage/", views.complaint_triage, name="triage"),
    path("key-vehicles/", views.key_vehicle_list, name="key_vehicles"),
    path("key-vehicles/<int:entry_id>/responsible/", views.key_vehicle_assign, name="key_vehicle_assign"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:complaint_id>/", views.complaint_detail, name="detail"),
    path("<int:complaint_id>/edit/", views.complaint_edit, name="edit"),
    path("<int:complaint_id>/transition/<slug:action>/", views.complaint_transition, name="transition"),
    path("<int:complaint_id>/escalate/", views.complaint_escalate, name="escalate"),
    path("<int:complaint_id>/assign/", views.complaint_assign, name="assign"),
    path("<int:complaint_id>/identify/", views.complaint_identify, name="identify"),
    path("<int:complaint_id>/authority/", views.authority_request, name="authority_request"),
    path("authority/<int:request_id>/answer/", views.authority_answer, name="authority_answer"),
    path("<int:complaint_id>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:complaint_id>/dispatch/", views.dispatch_edit, name="dispatch"),
]
