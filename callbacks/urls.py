from django.urls import path

from callbacks import views

app_name = "callbacks"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("stats/", views.callback_stats, name="stats"),
    path("month/", views.callback_month, name="month"),
    path("campaigns/new/", views.call_list_new, name="call_list_new"),
    path("<int:callback_id>/", views.callback_detail, name="detail"),
    path("<int:callback_id>/attempt/", views.callback_attempt, name="attempt"),
    path("<int:callback_id>/cancel/", views.callback_cancel, name="cancel"),
    path("<int:callback_id>/assign/", views.callback_assign, name="assign"),
]
