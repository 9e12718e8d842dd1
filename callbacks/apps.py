from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = _("Follow-up calls")

    def ready(self):
        # Deliveries, repair orders and resolved complaints are announced through the seams; the calls are ours.
        from callbacks import deadlines
        from callbacks.receivers import connect

        connect()
        deadlines.register()  # the follow-up calls' rules of the deadline sweep and their line of the digest
        import callbacks.erasure  # noqa: F401  (erased with the customer's personal data, cac.security.erasure)
