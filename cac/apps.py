from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CacConfig(AppConfig):
    name = "cac"
    verbose_name = _("Customer Assistance Center")

    def ready(self):
        from cac import login_security, sessions
        from cac.platform.task_failures import connect

        connect()
        login_security.connect()
        sessions.connect()
