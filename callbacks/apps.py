from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "callbacks"
    verbose_name = _("Follow-up calls")

    def ready(self):
        # The complaints workflow announces a resolution; the follow-up call is this app's to schedule.
        from callbacks.receivers import connect

        connect()
        import callbacks.erasure  # noqa: F401  (erased with the customer's personal data, cac.erasure)
