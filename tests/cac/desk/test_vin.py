"""VIN validation: 17 characters without I, O, Q; the check digit is enforced where the region mandates it."""

import pytest
from django.core.exceptions import ValidationError

from cac.desk.vin import normalize_vin, vin_check_digit
from tests.cac.factories import make_vin

# Real VINs whose check digit is correct.
REAL_VINS = [
    "1M8GDM9AXKP042788",  # the textbook example: check digit X
    "1HGCM82633A004352",  # Honda, US
    "2T1BURHE0JC074723",  # Toyota, Canada
    "JH4KA7561PC008269",  # Acura, Japan
]
# European manufacturers do not use position 9 as a check digit.
EUROPEAN_VINS = ["WVWZZZ1JZ3W386752", "VF1AB000012345678", "WDB1240221J000000", "SALGA2EF8EA123456"]


def _with_ninth(vin: str, char: str) -> str:
    return vin[:8] + char + vin[9:]


def _chinese_vin_with_check_x() -> str:
    return next(vin for vin in map(make_vin, range(1000)) if vin[8] == "X")


@pytest.mark.parametrize("vin", REAL_VINS)
def test_real_vins_are_accepted(vin):
    assert normalize_vin(vin) == vin


def test_check_digit_of_the_textbook_vin_is_x():
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert vin_check_digit("1HGCM82633A004352") == "3"


def test_chinese_vin_with_check_digit_x_is_accepted():
    vin = _chinese_vin_with_check_x()
    assert vin.startswith("L")
    assert normalize_vin(vin) == vin


@pytest.mark.parametrize("serial", [0, 1, 42, 99_999, 12_345_678])
def test_chinese_vins_with_a_computed_check_digit_are_accepted(serial):
    vin = make_vin(serial)
    assert normalize_vin(vin) == vin


@pytest.mark.parametrize(
    "raw",
    ["1m8gdm9axkp042788", " 1M8GDM9AXKP042788 ", "1M8 GDM9A XKP 042788", "1M8-GDM9AX-KP042788", "1M8GDM9AXKP042788\n"],
)
def test_vin_is_upper_cased_without_spaces_or_dashes(raw):
    assert normalize_vin(raw) == "1M8GDM9AXKP042788"


@pytest.mark.parametrize(
    ("raw", "count"),
    [("", 0), ("1M8GDM9AXKP04278", 16), ("1M8GDM9AXKP0427881", 18), ("LVGBE40K", 8), ("1" * 40, 40)],
)
def test_wrong_length_is_rejected_with_the_count(raw, count):
    with pytest.raises(ValidationError) as excinfo:
        normalize_vin(raw)
    assert excinfo.value.code == "vin_length"
    assert str(count) in excinfo.value.messages[0]


def test_none_is_a_wrong_length():
    with pytest.raises(ValidationError) as excinfo:
        normalize_vin(None)
    assert excinfo.value.code == "vin_length"


@pytest.mark.parametrize("letter", ["I", "O", "Q", "i", "o", "q"])
@pytest.mark.parametrize("position", [0, 5, 10, 16])
def test_letters_i_o_q_are_rejected(letter, position):
    # A European VIN, so that the check digit cannot be what rejects it.
    vin = "WVWZZZ1JZ3W386752"
    bad = vin[:position] + letter + vin[position + 1 :]
    with pytest.raises(ValidationError) as excinfo:
        normalize_vin(bad)
    assert excinfo.value.code == "vin_characters"


@pytest.mark.parametrize("char", ["*", "_", "é", "Ä", "王", "\x00", "ı"])
def test_other_characters_are_rejected(char):
    with pytest.raises(ValidationError) as excinfo:
        normalize_vin("WVWZZZ1JZ3W38675" + char)
    assert excinfo.value.code == "vin_characters"


@pytest.mark.parametrize(
    "vin",
    [
        "1M8GDM9AXKP042788",
        "2T1BURHE0JC074723",
        "3VWFE21C04M000001",
        "4T1BF1FK5CU000001",
        "5YJSA1E26HF000337",
        make_vin(7),
        make_vin(123),
    ],
)
def test_bad_check_digit_is_rejected_for_china_and_north_america(vin):
    # Every prefix that mandates the check digit: L (China) and 1-5 (North America).
    right = vin_check_digit(vin)
    for wrong in "0123456789X":
        if wrong == right:
            continue
        with pytest.raises(ValidationError) as excinfo:
            normalize_vin(_with_ninth(vin, wrong))
        assert excinfo.value.code == "vin_check_digit"
    assert normalize_vin(_with_ninth(vin, right)) == _with_ninth(vin, right)


def test_chinese_vin_with_x_replaced_by_a_digit_is_rejected():
    vin = _chinese_vin_with_check_x()
    with pytest.raises(ValidationError):
        normalize_vin(_with_ninth(vin, "0"))


@pytest.mark.parametrize("vin", EUROPEAN_VINS)
def test_european_vin_without_check_digit_is_accepted(vin):
    assert vin_check_digit(vin) != vin[8], "the example must not happen to carry a valid check digit"
    assert normalize_vin(vin) == vin


@pytest.mark.parametrize("vin", ["JH4KA7561PC008260", "KMHDU46D07U000001", "ZFA31200000000001", "6FPAAAJGSW0000001"])
def test_regions_without_a_mandated_check_digit_are_not_checked(vin):
    assert vin_check_digit(vin) != vin[8]
    assert normalize_vin(vin) == vin
