import factory
from django.utils import timezone

from cac.desk.vin import vin_check_digit
from cac.models import CallLog, Customer, Dealer, User, Vehicle


class DealerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dealer
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"测试经销商 {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-only")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    dealer = factory.SubFactory(DealerFactory)
    name = factory.Sequence(lambda n: f"客户{n}")
    mobile = factory.Sequence(lambda n: f"1390000{n:04d}")


def make_vin(serial: int) -> str:
    body = f"LVGBE40K0{serial:08d}"[:17]
    return body[:8] + vin_check_digit(body) + body[9:]


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    customer = factory.SubFactory(CustomerFactory)
    dealer = factory.SelfAttribute("customer.dealer")
    vin = factory.Sequence(make_vin)
    model = "凯美瑞"
    plate = factory.Sequence(lambda n: f"粤A{n:05d}")


class CallLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallLog

    customer = factory.SubFactory(CustomerFactory)
    dealer = factory.SelfAttribute("customer.dealer")
    phone = factory.SelfAttribute("customer.mobile")
    started_at = factory.LazyFunction(timezone.now)
    summary = "咨询保养"
    handled_by = factory.SubFactory(UserFactory)
