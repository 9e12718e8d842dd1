"""Login lockout and the administrators' two-factor sign-in in a real browser, in both languages."""

import pytest
from playwright.sync_api import expect

from tests.cac.security.test_two_factor import totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "zh-hans": {
        "username": "用户名",
        "password": "密码",
        "login": "登录",
        "locked": "登录失败次数过多",
        "administration": "系统管理",
        "code": "身份验证器应用中的验证码",
        "confirm": "确认并继续",
        "wrong": "验证码不正确",
    },
    "en": {
        "username": "Username",
        "password": "Password",
        "login": "Log in",
        "locked": "Too many failed sign-ins",
        "administration": "Administration",
        "code": "Code from your authenticator app",
        "confirm": "Confirm and continue",
        "wrong": "This code is not right",
    },
}


def _open_login(page, live_server, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")


def _submit(page, t, username, password):
    page.get_by_label(t["username"]).fill(username)
    page.get_by_label(t["password"]).fill(password)
    page.get_by_role("button", name=t["login"]).click()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_five_wrong_passwords_lock_the_login_with_a_clear_message(page, live_server, agent, artifacts, language):
    t = TEXT[language]
    _open_login(page, live_server, language)
    for _attempt in range(5):
        _submit(page, t, "agent", "wrong-password")
    expect(page.locator(".alert, .invalid-feedback, .text-danger").first).to_contain_text(t["locked"])
    _submit(page, t, "agent", "pw-for-tests-only")  # the right password, during the cool-off
    expect(page.get_by_text(t["locked"])).to_be_visible()
    expect(page.locator("#phone-box")).to_have_count(0)
    page.screenshot(path=artifacts / f"login-locked-{language}.png", full_page=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_administrator_enrols_a_device_and_reaches_the_administration(
    page, live_server, make_user, dealer, artifacts, language
):
    t = TEXT[language]
    make_user("admin", dealer, username="gz-admin", is_staff=True)
    _open_login(page, live_server, language)
    _submit(page, t, "gz-admin", "pw-for-tests-only")
    page.get_by_role("link", name=t["administration"]).click()
    expect(page.locator("#totp-qr svg")).to_be_visible()
    page.screenshot(path=artifacts / f"two-factor-enrol-{language}.png", full_page=True)
    secret = page.locator("#totp-secret").inner_text()

    page.get_by_label(t["code"]).fill("000000" if totp(secret) != "000000" else "111111")
    page.get_by_role("button", name=t["confirm"]).click()
    expect(page.get_by_text(t["wrong"])).to_be_visible()
    page.screenshot(path=artifacts / f"two-factor-wrong-{language}.png", full_page=True)

    page.wait_for_timeout(2100)  # django-otp's pause after a wrong code
    page.get_by_label(t["code"]).fill(totp(secret))
    page.get_by_role("button", name=t["confirm"]).click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.locator("#site-name, #content").first).to_be_visible()
    page.screenshot(path=artifacts / f"two-factor-admin-{language}.png", full_page=True)
