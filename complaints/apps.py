from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # A follow-up call's outcome is this app's to turn into closing, reopening or a new complaint.
        from complaints import deadlines
        from complaints.receivers import connect

        connect()
        deadlines.register()  # the complaints' rules of the deadline sweep and their line of the digest
        # What this app keeps about a person, erased with the customer's personal data (cac.security.erasure).
        import complaints.erasure  # noqa: F401
