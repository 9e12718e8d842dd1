from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from cac.platform.reaper import reaper_register
        from reports.services import monthly_reports_reap

        reaper_register("monthly reports", monthly_reports_reap)
