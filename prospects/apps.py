from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProspectsConfig(AppConfig):
    name = "prospects"
    verbose_name = _("Prospects")

    def ready(self):
        from prospects import deadlines

        deadlines.register()  # the prospects' rules of the deadline sweep and their line of the digest
        # What this app keeps about a person, erased with the customer's personal data (cac.security.erasure).
        import prospects.erasure  # noqa: F401
