"""Password reset by e-mail: Django's views with the CAC's pages and message, in both languages."""

import re

import pytest
from django.core import mail
from django.urls import reverse


@pytest.fixture
def staff(make_user, dealer):
    return make_user("agent", dealer, username="fang", email="fang@example.com", first_name="芳", last_name="王")


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("en", "Customer Assistance Center: reset your password", "Hello 王芳"),
        ("zh-hans", "顾客服务中心：重置密码", "王芳，您好"),
    ],
)
def test_a_reset_link_by_mail_sets_a_new_password(client, staff, language, subject, greeting):
    client.cookies["django_language"] = language
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page
    response = client.post(reverse("password_reset"), {"email": "fang@example.com"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fang@example.com"] and message.subject == subject
    assert greeting in message.body and "fang" in message.body
    link = re.search(r"https?://testserver(/accounts/password-reset/[^/]+/[^/]+/)", message.body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "short", "new_password2": "short"})
    assert "new_password2" in response.context["form"].errors  # the password rules apply
    response = client.post(
        form_url, {"new_password1": "a-fresh-password-2026", "new_password2": "a-fresh-password-2026"}
    )
    assert response.status_code == 302 and response.url == reverse("password_reset_complete")
    staff.refresh_from_db()
    assert staff.check_password("a-fresh-password-2026")
    # The link works once.
    assert client.get(link, follow=True).context["validlink"] is False


def test_an_unknown_address_gets_the_same_page_and_no_mail(client, staff):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []
