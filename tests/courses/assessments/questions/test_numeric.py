"""Reading numbers as participants type them."""

from decimal import Decimal

import pytest

from courses.assessments.questions.numeric import format_decimal, parse_number


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("80", "80"),
        ("80,5", "80.5"),
        ("80.5", "80.5"),
        (" -0,25 ", "-0.25"),
        ("\u22123", "-3"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1.234.567", "1234567"),
        ("1,234,567", "1234567"),
        ("1 822", "1822"),
        ("1.822", "1.822"),
        (",5", "0.5"),
        ("1e3", "1000"),
        ("+7", "7"),
    ],
)
def test_parse_number(typed: str, value: str) -> None:
    assert parse_number(typed) == Decimal(value)


@pytest.mark.parametrize(
    "typed", ["", "  ", "abc", "1,2,3", "1.2.3,4", "1,5,5.2", "NaN", "inf", "1..2", "--1", "12a"]
)
def test_parse_number_rejects(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_number(typed)


def test_parse_number_message_is_indonesian() -> None:
    with pytest.raises(ValueError, match="^'sembilan' bukan angka yang valid.$"):
        parse_number("sembilan")
    with pytest.raises(ValueError, match="^Jawaban numerik kosong.$"):
        parse_number(" ")


def test_sum_of_decimal_weights_is_exact() -> None:
    assert parse_number("33,33333") * 3 == Decimal("99.99999")
    assert parse_number("0.1") + parse_number("0,2") == Decimal("0.3")


@pytest.mark.parametrize(
    ("value", "text"),
    [("1E+2", "100"), ("0.50", "0.5"), ("-0", "0"), ("0.0005", "0.0005"), ("-12.500", "-12.5")],
)
def test_format_decimal(value: str, text: str) -> None:
    assert format_decimal(Decimal(value)) == text
