from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("customers/", views.CustomerLookup.as_view(), name="customer_lookup"),
    path("customers/<int:customer_id>/", views.CustomerSummary.as_view(), name="customer_summary"),
    path("calls/", views.CallCreate.as_view(), name="calls"),
    path("complaints/", views.Complaints.as_view(), name="complaints"),
    path("complaints/<int:complaint_id>/", views.ComplaintDetail.as_view(), name="complaint_detail"),
    path("prospects/", views.ProspectCreate.as_view(), name="prospects"),
    path("cti/<str:token>/", views.CtiEvent.as_view(), name="cti_event"),
    re_path(r"", views.not_found),  # anything else under /api/v1/ is a JSON 404, not the site's HTML page
]
