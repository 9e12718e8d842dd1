from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # What this app keeps about a person, erased with the customer's personal data (cac.erasure).
        import complaints.erasure  # noqa: F401
