"""The one phone normaliser: every spelling of a number is stored the same way, and nothing else is stored."""

import pytest
from django.core.exceptions import ValidationError

from cac.desk.phones import format_mobile, normalize_mobile, normalize_phone, phone_digits

MOBILE_SPELLINGS = [
    "13800138000",
    "138 0013 8000",
    "138-0013-8000",
    "+86 138-0013-8000",
    "+8613800138000",
    "0086 13800138000",
    "0086-138-0013-8000",
    "(86)13800138000",
    "(+86) 138 0013 8000",
    "8613800138000",
    "  138 0013 8000  ",
    "138.0013.8000",
    # Chinese input methods type full-width characters.
    "１３８ ００１３ ８０００",
    "＋８６ １３８００１３８０００",
    "（86）13800138000",
]


@pytest.mark.parametrize("raw", MOBILE_SPELLINGS)
def test_every_spelling_of_a_mobile_is_stored_as_its_11_digits(raw):
    assert normalize_mobile(raw) == "13800138000"
    assert normalize_phone(raw) == "13800138000"


@pytest.mark.parametrize("number", ["13912345678", "15012345678", "17712345678", "18612345678", "19912345678"])
def test_mobiles_of_every_operator_range_are_accepted(number):
    assert normalize_mobile(number) == number


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "abc",
        "138001380",  # too short
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "23800138000",  # 11 digits, not starting with 1
        "12345678901",  # 11 digits, no such mobile range
        "10086",  # a service short number
        "010-6552 9988",  # a fixed line is not a mobile
        "+1 650 253 0000",  # a foreign number is not a China mobile
        "+44 1380 013 8000",
        "001 650 253 0000",
        "1٣٨٠٠١٣٨٠٠٠",  # Arabic-Indic digits are not what the customer dialled
        "138\x000138000",
    ],
)
def test_what_is_not_a_china_mobile_is_rejected(raw):
    with pytest.raises(ValidationError) as excinfo:
        normalize_mobile(raw)
    assert excinfo.value.code == "invalid_mobile"


def test_the_error_names_the_number_when_it_has_11_digits_but_no_such_range():
    with pytest.raises(ValidationError) as excinfo:
        normalize_mobile("123 4567 8901")
    assert "12345678901" in excinfo.value.messages[0]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("010-6552 9988", "01065529988"),  # Beijing
        ("(010) 65529988", "01065529988"),
        ("+86 10 6552 9988", "01065529988"),
        ("0086-10-65529988", "01065529988"),
        ("1065529988", "01065529988"),  # area code typed without the trunk 0
        ("020 8888 8888", "02088888888"),  # Guangzhou
        ("0755-8888 8888", "075588888888"),  # Shenzhen, 4-digit area code
        ("０２０－８８８８ ８８８８", "02088888888"),  # full-width
        ("400-810-8888", "4008108888"),  # national service numbers keep their form
        ("800 810 8888", "8008108888"),
        ("+86 138 0013 8000", "13800138000"),  # a mobile is a phone too
    ],
)
def test_fixed_lines_are_stored_with_their_area_code(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "10086",
        "95588",
        "8888 8888",  # a local number without its area code
        "23800138000",
        "12345678901",
        "020-8888",
        "0" * 30,
        "1" * 300,
        "+1 650 253 0000",
        "001 650 253 0000",  # a foreign number through the international prefix
        "+44 20 7946 0018",
    ],
)
def test_what_is_not_a_china_phone_is_rejected(raw):
    with pytest.raises(ValidationError) as excinfo:
        normalize_phone(raw)
    assert excinfo.value.code in {"invalid_phone", "invalid_mobile"}


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("138", "138"),
        ("138 0013", "1380013"),
        ("138-0013-8", "13800138"),
        ("+86 138", "138"),
        ("+86 138 0013", "1380013"),
        ("0086 1380", "1380"),
        ("0086-138-00", "13800"),
        ("+86 138-0013-8000", "13800138000"),
        ("(86)13800138000", "13800138000"),
        ("１３８ ００", "13800"),
        ("020-88", "02088"),
        ("", ""),
        (None, ""),
        ("王芳", ""),
    ],
)
def test_partial_digits_for_the_lookup_drop_separators_and_the_country_code(raw, digits):
    assert phone_digits(raw) == digits


def test_partial_digits_keep_a_leading_86_that_may_be_part_of_the_number():
    # 86... is only the country code when a whole mobile follows; otherwise the digits are kept as typed.
    assert phone_digits("8613800138000") == "13800138000"
    assert phone_digits("8612") == "8612"


def test_partial_digits_are_ascii_only():
    assert phone_digits("1٣٨") == "1"
    assert phone_digits("１٣８") == "18"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("13800138000", "138 0013 8000"), ("01065529988", "01065529988"), ("4008108888", "4008108888"), ("", "")],
)
def test_display_form(stored, shown):
    assert format_mobile(stored) == shown
