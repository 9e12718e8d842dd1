"""The person as a prospect, erased with the customer's personal data (cac.security.erasure): the prospects converted into
the customer or with one of their numbers lose the name, the number and the notes; grade, source, model, states and
dates stay (the funnel's figures)."""

from django.db.models import Q

from cac.security.erasure import ERASED_NAME, erase_history, register_eraser
from prospects.models import ContactAttempt, Prospect

PROSPECT_ERASED = {"name": ERASED_NAME, "phone": "", "notes": "", "closed_note": ""}


@register_eraser
def prospects_erase_customer(*, customer, numbers, **_context) -> None:
    matches = Q(customer=customer)
    if numbers:
        matches |= Q(dealer_id=customer.dealer_id, phone__in=numbers)
    prospect_ids = list(Prospect.objects.filter(matches).values_list("pk", flat=True))
    if not prospect_ids:
        return
    Prospect.objects.filter(pk__in=prospect_ids).update(**PROSPECT_ERASED)
    erase_history(Prospect, filters=Q(id__in=prospect_ids), values=PROSPECT_ERASED)
    ContactAttempt.objects.filter(prospect_id__in=prospect_ids).update(note="")
