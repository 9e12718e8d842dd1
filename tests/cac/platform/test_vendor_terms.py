"""The libraries' texts that ship no Simplified Chinese read in Chinese from our catalogue (the admin's headers, the
sign-in records of django-axes, the devices of django-otp)."""

from axes.models import AccessAttempt
from django.utils import translation
from django.utils.translation import gettext

from cac.platform.vendor_terms import VENDOR_TERMS


def test_every_vendor_term_has_its_chinese():
    untranslated = [term for term in VENDOR_TERMS if term != "HTTP Accept" and _zh(term) == term]
    assert untranslated == []


def test_the_libraries_models_are_named_in_chinese():
    with translation.override("zh-hans"):
        assert str(AccessAttempt._meta.verbose_name_plural) == "登录尝试"
        assert gettext("Add link") == "添加链接"


def _zh(term: str) -> str:
    with translation.override("zh-hans"):
        return gettext(term)
