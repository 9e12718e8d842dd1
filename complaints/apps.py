from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # A follow-up call's outcome is this app's to turn into closing, reopening or a new complaint.
        from complaints.receivers import connect

        connect()
