from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CacConfig(AppConfig):
    name = "cac"
    verbose_name = _("Customer Assistance Center")

    def ready(self):
        from cac.events.import_jobs import dms_imports_reap
        from cac.platform.reaper import reaper_register
        from cac.platform.task_failures import connect
        from cac.security import login_security, sessions

        connect()
        login_security.connect()
        sessions.connect()
        reaper_register("DMS imports", dms_imports_reap)
