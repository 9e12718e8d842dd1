"""Deliveries, repair orders, their CSV import and the 三包 watch (included by cac.urls). Part of the composition
root: the 三包 page is the follow-up app's view under the events' names."""

from django.urls import path

from cac.events import import_views
from cac.events import views as event_views
from callbacks import views as callback_views

app_name = "events"

urlpatterns = [
    path("events/sales/", event_views.sale_list, name="sales"),
    path("events/service-visits/", event_views.service_visit_list, name="service_visits"),
    path("events/import/", event_views.import_upload, name="import"),
    path("events/import/confirm/", event_views.import_confirm, name="import_confirm"),
    path("events/import/<int:import_id>/", import_views.import_status, name="import_status"),
    path("events/sanbao/", callback_views.sanbao, name="sanbao"),
    path("customers/<int:customer_id>/sales/new/", event_views.sale_create, name="sale_create"),
    path(
        "customers/<int:customer_id>/service-visits/new/",
        event_views.service_visit_create,
        name="service_visit_create",
    ),
]
