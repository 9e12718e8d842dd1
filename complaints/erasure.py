"""What a complaint keeps about the person, removed when the customer's personal data is erased (cac.security.erasure).

The customer's words (the description and the demand) and the evidence (photos, letters, recordings: rows and files)
go; the complaint's number, category, channel, severity, department, states, deadlines, escalations and the dealer's
own analysis (root cause, countermeasure, outcome, prevention) stay: they are the figures of the monthly report."""

from django.db.models import Q

from cac.security.erasure import delete_files_on_commit, erase_history, register_eraser
from complaints.models import Attachment, Complaint

COMPLAINT_ERASED = {"description": "", "demand": ""}


@register_eraser
def complaints_erase_customer(*, customer, **_context) -> None:
    complaint_ids = list(Complaint.objects.filter(customer=customer).values_list("pk", flat=True))
    if not complaint_ids:
        return
    Complaint.objects.filter(pk__in=complaint_ids).update(**COMPLAINT_ERASED)
    erase_history(Complaint, filters=Q(id__in=complaint_ids), values=COMPLAINT_ERASED)
    evidence = Attachment.objects.filter(complaint_id__in=complaint_ids)
    files = list(evidence.values_list("file", flat=True))
    evidence.delete()
    delete_files_on_commit(Attachment._meta.get_field("file").storage, files)
