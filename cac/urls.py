from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cac.deadlines import notification_views, sms_receipts
from cac.desk import views
from cac.platform import health
from cac.root import customer_360, home, language, privacy_views, screen_pop, search, today
from cac.security import two_factor

urlpatterns = [
    path("", home.home, name="desk"),  # each role's home (cac.root.home); the call desk for most
    path("desk/", views.desk, name="call_desk"),  # the call desk itself, for those whose home is another page
    path("search/", search.search, name="search"),
    path("desk/today/", today.desk_today, name="desk_today"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/lookup/", views.customer_lookup, name="customer_lookup"),
    path("customers/find/", views.customer_find, name="customer_find"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:customer_id>/", customer_360.customer_detail, name="customer_detail"),
    path("customers/<int:customer_id>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<int:customer_id>/calls/", customer_360.customer_call_create, name="customer_call_create"),
    path("customers/<int:customer_id>/reveal/", privacy_views.customer_reveal_phone, name="customer_reveal_phone"),
    path("customers/<int:customer_id>/erase/", privacy_views.customer_erase, name="customer_erase"),
    path("customers/<int:customer_id>/vehicles/new/", views.vehicle_create, name="vehicle_create"),
    path("vehicles/<int:vehicle_id>/edit/", views.vehicle_edit, name="vehicle_edit"),
    path("calls/", views.call_list, name="call_list"),
    path("calls/new/", views.call_new, name="call_new"),
    path("calls/dial/", views.call_dial, name="call_dial"),
    path("calls/ringing/", screen_pop.screen_pop_stream, name="screen_pop_stream"),
    path("calls/<int:call_id>/", views.call_detail, name="call_detail"),
    path("calls/<int:call_id>/recording/", views.call_recording, name="call_recording"),
    path("complaints/", include("complaints.urls")),
    path("", include("cac.events.urls")),
    path("callbacks/", include("callbacks.urls")),
    path("prospects/", include("prospects.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include("api.urls")),
    path("oem-reports/", include("api.oem_urls")),
    path("notifications/", notification_views.notifications, name="notifications"),
    path("notifications/bell/", notification_views.notification_bell, name="notification_bell"),
    path("notifications/read/", notification_views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:notification_id>/read/", notification_views.notification_read, name="notification_read"),
    path("sms/receipts/<str:vendor>/<str:token>/", sms_receipts.sms_receipt, name="sms_receipt"),
    path("healthz", health.ready, name="healthz"),  # the address probes used before the split
    path("healthz/live", health.live, name="healthz_live"),
    path("healthz/ready", health.ready, name="healthz_ready"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor.two_factor, name="two_factor"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(html_email_template_name=None),
        name="password_reset",
    ),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/setlang/", language.language_switch, name="set_language"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
