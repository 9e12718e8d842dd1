"""A prospect shows in the customer 360 once converted or matched by phone, within the 360's query budget."""

from django.urls import reverse

from tests.cac.factories import CallLogFactory, CustomerFactory, VehicleFactory
from tests.prospects.factories import ProspectFactory


def test_the_360_shows_prospects_matched_by_phone_or_converted(agent_client, dealer, other_dealer, agent, make_user):
    customer = CustomerFactory(dealer=dealer, mobile="13700137000")
    ProspectFactory(dealer=dealer, owner=agent, name="赵磊", phone="13700137000", model_of_interest="汉兰达")
    ProspectFactory(
        dealer=dealer, owner=agent, name="赵磊", phone="13900139000", customer=customer, model_of_interest="RAV4"
    )
    ProspectFactory(dealer=dealer, owner=agent, name="别人", phone="13600136000", model_of_interest="卡罗拉")
    elsewhere = make_user("agent", other_dealer, username="elsewhere")
    ProspectFactory(dealer=other_dealer, owner=elsewhere, name="别家", phone="13700137000", model_of_interest="雷凌")

    body = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()

    assert 'id="customer-prospects"' in body
    assert "汉兰达" in body and "RAV4" in body
    assert "卡罗拉" not in body and "雷凌" not in body


def test_no_prospect_section_without_a_match(agent_client, dealer):
    customer = CustomerFactory(dealer=dealer, mobile="13700137000")
    body = agent_client.get(reverse("customer_detail", args=[customer.pk])).content.decode()
    assert 'id="customer-prospects"' not in body


def test_the_360_with_prospects_stays_within_budget(agent_client, dealer, agent, django_assert_max_num_queries):
    customer = CustomerFactory(dealer=dealer, mobile="13700137000")
    for _ in range(3):
        VehicleFactory(customer=customer)
    for _ in range(20):
        CallLogFactory(customer=customer, handled_by=agent)
    for index in range(5):
        ProspectFactory(dealer=dealer, owner=agent, name=f"赵{index}", phone="13700137000")
    with django_assert_max_num_queries(13):  # the 360's budget: 12 and the customer's SMS
        response = agent_client.get(reverse("customer_detail", args=[customer.pk]))
    assert response.status_code == 200
