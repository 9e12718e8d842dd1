from django.urls import path

from prospects import views

app_name = "prospects"

urlpatterns = [
    path("", views.prospect_list, name="list"),
    path("board/", views.prospect_board, name="board"),
    path("due/", views.prospect_due, name="due"),
    path("new/", views.prospect_create, name="create"),
    path("funnel/", views.prospect_funnel, name="funnel"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("<int:prospect_id>/", views.prospect_detail, name="detail"),
    path("<int:prospect_id>/edit/", views.prospect_edit, name="edit"),
    path("<int:prospect_id>/attempt/", views.prospect_attempt, name="attempt"),
    path("<int:prospect_id>/transition/<slug:action>/", views.prospect_transition, name="transition"),
]
