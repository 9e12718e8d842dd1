from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("Integration API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A complaint created or moved is this app's to pass on to the dealer's webhooks for other systems.
        from api.outbound import connect

        connect()
