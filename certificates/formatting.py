"""Indonesian wording printed on certificates: dates, NIP groups, pangkat, JP and `terbilang`.

Month names come from our own table, never from the system locale: locale data differs between
glibc/ICU versions ("Nopember" vs "November") and a certificate must print the same text on every
machine that ever re-renders it.
"""

import datetime as dt
from decimal import Decimal

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

#: Pangkat of each PNS golongan/ruang (BKN). PPPK golongan (I–XVII) have no pangkat name.
PANGKAT = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}

_ONES = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
)
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))

EN_DASH = "\u2013"


def format_date(day: dt.date) -> str:
    """Return "22 November 2026": day without a leading zero, the full Indonesian month."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def format_date_range(start: dt.date, end: dt.date) -> str:
    """Return a period as printed on certificates, sharing what the two ends have in common.

    "22 November 2026" for one day, "20–22 November 2026" within a month,
    "30 November – 2 Desember 2026" within a year, else both dates in full.
    """
    if end < start:
        raise ValueError("end date is before start date")
    if start == end:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}{EN_DASH}{format_date(end)}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} {EN_DASH} {format_date(end)}"
    return f"{format_date(start)} {EN_DASH} {format_date(end)}"


def place_and_date(place: str, day: dt.date) -> str:
    """Return the signing line "Padang Panjang, 22 November 2026"."""
    return f"{place}, {format_date(day)}"


def month_roman(month: int) -> str:
    """Return the Roman numeral of a month (11 -> "XI"), as used in Indonesian letter numbers."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    return ROMAN_MONTHS[month - 1]


def format_nip(nip: str, asn_type: str = "pns") -> str:
    """Group an 18-digit NIP for print.

    A PNS NIP reads birth date, TMT CPNS (year+month), sex, sequence: "19860926 201505 1 001".
    A NI PPPK reads birth date, appointment year, two digits, sex, sequence:
    "19860427 2022 21 1 011" (grouping it as a PNS NIP would print a false TMT month).
    """
    digits = nip.replace(" ", "")
    if len(digits) != 18 or not digits.isdigit():
        raise ValueError(f"NIP must be 18 digits, got {nip!r}")
    if asn_type == "pppk":
        return f"{digits[:8]} {digits[8:12]} {digits[12:14]} {digits[14]} {digits[15:]}"
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"


def pangkat_golongan(golongan: str | None) -> str | None:
    """Return "Penata Muda Tingkat I, III/b" for a PNS golongan, the bare golongan otherwise.

    PPPK golongan (Roman numerals I–XVII) have no pangkat, so "IX" prints as "IX".
    """
    if not golongan:
        return None
    pangkat = PANGKAT.get(golongan)
    return f"{pangkat}, {golongan}" if pangkat else golongan


def terbilang(number: int | Decimal | str) -> str:
    """Spell a non-negative number in Indonesian words, e.g. 24 -> "dua puluh empat".

    Decimals read digit by digit after "koma" (7.5 -> "tujuh koma lima"), the way JP with a half
    hour are read aloud.
    """
    value = Decimal(str(number))
    if value < 0 or not value.is_finite():
        raise ValueError(f"terbilang needs a finite non-negative number, got {number!r}")
    whole = int(value)
    text = _spell_int(whole)
    fraction = format(value.normalize(), "f").partition(".")[2]
    if fraction:
        text += " koma " + " ".join(_ONES[int(d)] for d in fraction)
    return text


def _spell_int(n: int) -> str:
    if n < 12:
        return _ONES[n]
    if n < 20:
        return f"{_ONES[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return f"{_ONES[tens]} puluh" + (f" {_ONES[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "seratus" if hundreds == 1 else f"{_ONES[hundreds]} ratus"
        return head + (f" {_spell_int(rest)}" if rest else "")
    if n < 1_000_000:
        thousands, rest = divmod(n, 1000)
        head = "seribu" if thousands == 1 else f"{_spell_int(thousands)} ribu"
        return head + (f" {_spell_int(rest)}" if rest else "")
    for scale, word in _SCALES:
        if n >= scale:
            count, rest = divmod(n, scale)
            return f"{_spell_int(count)} {word}" + (f" {_spell_int(rest)}" if rest else "")
    raise AssertionError("unreachable")  # pragma: no cover


def format_jp(jp: int | Decimal | str) -> str:
    """Return JP for print with an Indonesian decimal comma: 24 -> "24", 7.5 -> "7,5"."""
    value = Decimal(str(jp)).normalize()
    text = format(value, "f")
    return text.replace(".", ",")
