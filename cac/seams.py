"""The seams: the only places where one workflow hears of another.

A workflow app never imports another. What one has to tell the others goes through a seam defined here, in the
core, and the app that owns the consequence connects to it in its `AppConfig.ready()`:

- `sale_recorded`, `service_visit_recorded` (sent by `cac.events.services` inside the transaction that records the event):
  the follow-up app schedules its call and runs the 三包 watch.
- `complaint_resolved` (sent by the complaints workflow inside the resolving transaction): the follow-up app
  schedules the call after the complaint.
- `complaint_changed` (sent by the complaints workflow inside the transaction that opens a complaint or moves its
  status): the integration API records the deliveries to the dealer's webhooks for other systems.
- `follow_up_concluded` (called by the follow-up app when a reached call ends): the complaints app closes or
  reopens the complaint the call was about, or opens a new one for a dissatisfied customer after a sale or a repair;
  it is the only way a complaint is closed as satisfied. `complaint_categories` gives the follow-up form the
  categories the caller picks from for that new complaint.
- `key_attention_flag`, `key_attention_among` (called by the 三包 watch of the follow-up app): the complaints app
  keeps the key-attention list (重点关注车辆).

Signals run in the sender's transaction, so what a receiver writes commits or rolls back with the event itself, and
a receiver's ValidationError refuses the whole step.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.dispatch import Signal

# sender=Sale, sale=, acting_user=
sale_recorded = Signal()
# sender=ServiceVisit, visit=, acting_user=
service_visit_recorded = Signal()
# sender=Complaint, complaint=, acting_user=
complaint_resolved = Signal()
# sender=Complaint, complaint=, event= ("created", "status_changed" or "closed"), previous_status=, acting_user=
complaint_changed = Signal()


@dataclass(frozen=True)
class FollowUpOutcome:
    """What a reached follow-up call found, in the core's words: no model of the follow-up app crosses the seam."""

    kind: str  # "after_complaint", "after_sale" or "after_service"
    satisfied: bool
    satisfaction: int | None
    remarks: str
    customer: Any  # cac.models.Customer
    vehicle: Any  # cac.models.Vehicle | None
    call: Any  # cac.models.CallLog | None: the call of the reaching attempt
    complaint_id: int | None = None  # the complaint the call followed, for "after_complaint"
    category: str = ""  # what a dissatisfied customer after a sale or a repair complains of, picked by the caller


class Seam:
    """A hook with exactly one implementation, registered by the app that owns the behaviour."""

    def __init__(self, name: str):
        self.name = name
        self._handler: Callable | None = None

    def register(self, handler: Callable) -> None:
        self._handler = handler

    def __call__(self, **kwargs):
        if self._handler is None:
            raise LookupError(f"Nothing is registered for the seam {self.name!r}.")
        return self._handler(**kwargs)


# (outcome=FollowUpOutcome, acting_user=) -> the complaint the call opened, or None.
follow_up_concluded = Seam("follow_up_concluded")

# () -> [(value, label)]: the complaint categories, for the follow-up caller to pick when a customer is dissatisfied.
complaint_categories = Seam("complaint_categories")

# (vehicle=, reason=, change_reason=) -> None: on the key-attention list with the reason, or the reason added.
key_attention_flag = Seam("key_attention_flag")
# (vehicle_ids=) -> set of the ids on the key-attention list now.
key_attention_among = Seam("key_attention_among")
