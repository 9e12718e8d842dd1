import factory

from prospects.models import Grade, Prospect, Source, Status
from tests.cac.factories import CustomerFactory, DealerFactory


class ProspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prospect

    dealer = factory.SubFactory(DealerFactory)
    name = factory.Sequence(lambda n: f"意向客户{n}")
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
    source = Source.PHONE
    grade = Grade.B
    model_of_interest = "凯美瑞"


def put(prospect: Prospect, status: str, **fields) -> Prospect:
    """Place a prospect in a state directly (tests only: the services never assign the status)."""
    if status == Status.WON and "customer" not in fields:
        fields["customer"] = CustomerFactory(dealer=prospect.dealer, mobile=prospect.phone, name=prospect.name)
    if status == Status.LOST:
        fields.setdefault("lost_reason", "budget")
    Prospect.objects.filter(pk=prospect.pk).update(status=status, **fields)
    return Prospect.objects.get(pk=prospect.pk)
