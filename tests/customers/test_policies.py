"""Pure rules: no database."""

import operator
import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.masking import mask_address, mask_id_number
from customers import policies

# Real-format samples: the GB 11643 check character computed by hand for each.
VALID_IDS = [
    "11010519491231002X",  # the standard's own example, check character X
    "440524198001010013",
    "430102199001011238",
]


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_resident_ids_pass(value):
    assert policies.validate_resident_id(value) == value


def test_check_character_is_the_standards_weighted_sum():
    # id_check_char reads the 17 digits as one base-13 number; the standard's weights, digit by digit, agree
    rng = random.Random(11643)
    for first17 in ["0" * 17, "9" * 17, "11010519491231002", *("".join(rng.choices("0123456789", k=17))
                                                                for _ in range(5000))]:
        total = sum(map(operator.mul, map(int, first17), policies.ID_WEIGHTS))
        assert policies.id_check_char(first17) == policies.ID_CHECK_CHARS[total % 11], first17


def test_lower_case_x_is_normalised():
    assert policies.validate_resident_id("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "value, code",
    [
        ("110105194912310021", "checksum"),  # X expected
        ("430102199001011232", "checksum"),
        ("43010219900101123", "length"),
        ("4301021990010112321", "length"),
        ("43010219900101123A", "format"),
        ("X30102199001011232", "format"),
        ("430102199002301234", "birth_date"),  # 30 February
        ("430102209901011234", "birth_date"),  # in the future
    ],
)
def test_invalid_resident_ids_are_refused_with_a_code(value, code):
    with pytest.raises(ValidationError) as err:
        policies.validate_resident_id(value, today=date(2026, 11, 23))
    assert err.value.code == code


def test_checksum_error_names_the_expected_character():
    with pytest.raises(ValidationError) as err:
        policies.validate_resident_id("110105194912310021")
    assert "X" in err.value.message % err.value.params


@pytest.mark.parametrize("value", ["13800138000", "19812345678", "14712345678"])
def test_valid_msisdns(value):
    assert policies.validate_msisdn(value) == value


@pytest.mark.parametrize("value", ["1380013800", "138001380001", "12800138000", "23800138000", "1380013800a", ""])
def test_invalid_msisdns(value):
    with pytest.raises(ValidationError) as err:
        policies.validate_msisdn(value)
    assert err.value.code == "msisdn"


def test_id_number_masking_keeps_area_and_tail():
    assert mask_id_number("430102199001011238") == "4301**********1238"


def test_address_masking_keeps_only_the_city_part():
    assert mask_address("湖南省长沙市芙蓉区五一大道100号") == "湖南省长沙市****"


@pytest.mark.parametrize(
    "joined, today, months",
    [(date(2026, 5, 23), date(2026, 11, 23), 6), (date(2026, 5, 24), date(2026, 11, 23), 5),
     (date(2020, 1, 31), date(2020, 2, 29), 0), (date(2026, 11, 23), date(2026, 11, 23), 0)],
)
def test_tenure_months(joined, today, months):
    assert policies.tenure_months(joined, today) == months


def test_months_ago_clamps_to_month_end():
    assert policies.months_ago(date(2026, 3, 31), 1) == date(2026, 2, 28)


def test_more_complete_data_raises_completeness():
    bare = policies.data_completeness(has_address=False, has_occupation=False, has_workplace=False, related_contacts=0)
    full = policies.data_completeness(has_address=True, has_occupation=True, has_workplace=True, related_contacts=3)
    assert bare == 40 and full == 100
