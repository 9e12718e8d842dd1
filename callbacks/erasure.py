"""What follow-up calls keep about the person, removed when the customer's personal data is erased (cac.security.erasure):
the agents' remarks and attempt notes. Kinds, states, due dates, attempts by slot and scores stay (the figures)."""

from django.db.models import Q

from cac.security.erasure import erase_history, register_eraser
from callbacks.models import Callback, CallbackAttempt

CALLBACK_ERASED = {"remarks": ""}


@register_eraser
def callbacks_erase_customer(*, customer, **_context) -> None:
    callback_ids = list(Callback.objects.filter(customer=customer).values_list("pk", flat=True))
    if not callback_ids:
        return
    Callback.objects.filter(pk__in=callback_ids).update(**CALLBACK_ERASED)
    erase_history(Callback, filters=Q(id__in=callback_ids), values=CALLBACK_ERASED)
    CallbackAttempt.objects.filter(callback_id__in=callback_ids).update(note="")
