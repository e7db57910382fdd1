"""Display rounding and number formats: half up, shares that add up, Danish separators."""

from datetime import date
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest

from kpi.formatting import (
    format_kroner, format_number, format_p_value, format_percent, format_percent_value,
    largest_remainder, month_label, percent, round_half_up,
)


@pytest.mark.parametrize("value, decimals, expected", [
    (Fraction(25, 2), 0, Decimal("13")),     # Python's round(12.5) gives 12
    (Fraction(5, 2), 0, Decimal("3")),
    (Fraction(-5, 2), 0, Decimal("-3")),     # half away from zero
    (Fraction(1199, 20), 1, Decimal("60.0")),  # 59.95
    (87.5, 0, Decimal("88")),
    (0.125, 2, Decimal("0.13")),             # the float 0.125 is exact
    (Decimal("4.15"), 1, Decimal("4.2")),
    (Fraction(1, 3), 3, Decimal("0.333")),
])
def test_round_half_up(value, decimals, expected):
    assert round_half_up(value, decimals) == expected
    assert str(round_half_up(value, decimals)) == str(expected)


def test_field_case_shares_add_up_to_100():
    # 12 "meget tilfreds", 4 "tilfreds", 1 "utilfreds" of 17 answers.
    shares = largest_remainder([12, 4, 1], decimals=1)

    assert shares == [Decimal("70.6"), Decimal("23.5"), Decimal("5.9")]
    assert sum(shares) == Decimal("100.0")
    assert [format_percent_value(share) for share in shares] == ["70,6 %", "23,5 %", "5,9 %"]
    assert format_percent(16, 17) == "94,1 %"


def test_one_of_eight_shows_thirteen_percent():
    assert format_percent(1, 8, decimals=0) == "13 %"
    assert round(12.5) == 12  # why the display does not use round()


def test_largest_remainder_breaks_ties_by_order():
    assert largest_remainder([1, 7], decimals=0) == [Decimal("13"), Decimal("87")]
    assert largest_remainder([1, 1, 1], decimals=0) == [Decimal("34"), Decimal("33"),
                                                        Decimal("33")]


def test_largest_remainder_of_nothing_is_missing():
    assert largest_remainder([0, 0, 0]) == [None, None, None]


def test_no_answers_show_a_dash_never_zero():
    assert percent(0, 0) is None
    assert format_percent(0, 0) == "–"
    assert format_percent_value(None) == "–"
    assert format_number(None) == "–"


@pytest.mark.parametrize("value, decimals, lang, expected", [
    (21596900, 0, "da", "21.596.900"),
    (21596900, 0, "en", "21,596,900"),
    (Fraction(1000, 3), 1, "da", "333,3"),
    (-1500, 0, "da", "-1.500"),
    (999, 0, "da", "999"),
    (Decimal("0.5"), 0, "da", "1"),
])
def test_format_number(value, decimals, lang, expected):
    assert format_number(value, decimals, lang) == expected


def test_format_kroner_and_p_value():
    assert format_kroner(21120200) == "21.120.200 kr."
    assert format_kroner(476700, "en") == "DKK 476,700"
    assert format_p_value(0.0004) == "< 0,001"
    assert format_p_value(0.0125) == "0,013"
    assert format_p_value(None) == "–"


def test_short_month_labels():
    labels = [month_label(SimpleNamespace(first_day=date(2027, month, 1)), "da", short=True)
              for month in (1, 5, 12)]

    assert labels == ["jan.", "maj", "dec."]
