"""Indonesian formatting: dates, times, number words, names with titles, decimals.

Certificates, attendance sheets and reports print Indonesian text that officials read closely
("Padang Panjang, 22 November 2026", "pukul 09.00 WIB", "dua puluh empat"). Everything here is
table-driven and pure: month names come from our own table because the locale data shipped with
operating systems differs between versions, and the time-zone label is derived from the UTC
offset because old tz data labelled +07 "WIT".
"""

import re
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS: tuple[str, ...] = (
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
"""Full month names, index 0 = January."""

DAYS: tuple[str, ...] = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
"""Day names in ``date.weekday()`` order (Monday first)."""

_ROMAN_MONTHS: tuple[str, ...] = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
)

_TZ_LABELS: dict[timedelta, str] = {
    timedelta(hours=7): "WIB",
    timedelta(hours=8): "WITA",
    timedelta(hours=9): "WIT",
}

_EN_DASH = "\u2013"


def format_date(d: date) -> str:
    """Format a date the way Indonesian letters and certificates print it.

    Args:
        d: The date (a ``datetime`` is formatted by its date part).

    Returns:
        e.g. ``"22 November 2026"``, ``"1 Desember 2026"`` (day without a leading zero).
    """
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def format_day_date(d: date) -> str:
    """Format a date with its day name, e.g. ``"Minggu, 22 November 2026"``."""
    return f"{DAYS[d.weekday()]}, {format_date(d)}"


def format_place_date(city: str, d: date) -> str:
    """Format the place-and-date line above a signature.

    Args:
        city: The city where the document is signed, e.g. ``"Padang Panjang"``.
        d: The signing date.

    Returns:
        e.g. ``"Padang Panjang, 22 November 2026"``.
    """
    return f"{' '.join(city.split())}, {format_date(d)}"


def format_date_range(start: date, end: date) -> str:
    """Format a period compactly, repeating the month and year only where they change.

    Args:
        start: First day.
        end: Last day (inclusive), not before ``start``.

    Returns:
        ``"22 November 2026"`` for one day, ``"20–22 November 2026"`` within a month,
        ``"30 November – 2 Desember 2026"`` across months and
        ``"30 Desember 2026 – 2 Januari 2027"`` across years.

    Raises:
        ValueError: ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError("Tanggal selesai tidak boleh sebelum tanggal mulai")
    if (start.year, start.month, start.day) == (end.year, end.month, end.day):
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}{_EN_DASH}{format_date(end)}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} {_EN_DASH} {format_date(end)}"
    return f"{format_date(start)} {_EN_DASH} {format_date(end)}"


def month_roman(month: int) -> str:
    """Return the Roman numeral of a month, as used in Indonesian letter numbers (``XI``).

    Raises:
        ValueError: ``month`` is not 1–12.
    """
    if not 1 <= month <= 12:
        raise ValueError(f"Bulan harus 1–12, bukan {month}")
    return _ROMAN_MONTHS[month - 1]


_ONES: tuple[str, ...] = (
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
)

# Largest scale first. "seribu" (not "satu ribu") is the one irregular scale word.
_SCALES: tuple[tuple[int, str], ...] = (
    (10**12, "triliun"),
    (10**9, "miliar"),
    (10**6, "juta"),
    (10**3, "ribu"),
)


def _words_below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words += [_ONES[hundreds], "ratus"]
    if rest == 0:
        return words
    if rest < 10:
        words.append(_ONES[rest])
    elif rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif rest < 20:
        words += [_ONES[rest - 10], "belas"]
    else:
        tens, ones = divmod(rest, 10)
        words += [_ONES[tens], "puluh"]
        if ones:
            words.append(_ONES[ones])
    return words


def _words_integer(n: int) -> list[str]:
    if n == 0:
        return ["nol"]
    words: list[str] = []
    for value, name in _SCALES:
        count, n = divmod(n, value)
        if count == 0:
            continue
        if value == 1000 and count == 1:
            words.append("seribu")
        else:
            words += _words_integer_scaled(count) + [name]
    if n:
        words += _words_below_thousand(n)
    return words


def _words_integer_scaled(count: int) -> list[str]:
    # A count in front of a scale word can itself exceed 999 (e.g. 5,000 triliun).
    if count >= 1000:
        return _words_integer(count)
    return _words_below_thousand(count)


def terbilang(n: int | Decimal) -> str:
    """Spell a number in Indonesian words, as printed in brackets after scores and amounts.

    Integers follow the standard rules: ``sepuluh``, ``sebelas``, ``dua belas``, ``seratus``,
    ``seribu``, ``dua ribu``, ``satu juta``. A ``Decimal`` reads its fractional digits one by
    one after ``koma`` ("80.5" -> "delapan puluh koma lima"), the way a score is read aloud.

    Args:
        n: A whole number or a ``Decimal``; negative numbers start with ``minus``.

    Returns:
        e.g. ``terbilang(24) == "dua puluh empat"``, ``terbilang(0) == "nol"``.

    Raises:
        ValueError: ``n`` is a bool, a float or a non-finite Decimal (a float's digits are
            not what the user typed, so it is refused rather than guessed).
    """
    if isinstance(n, bool) or not isinstance(n, int | Decimal):
        raise ValueError("terbilang menerima bilangan bulat atau Decimal")
    if isinstance(n, Decimal):
        if not n.is_finite():
            raise ValueError("Bilangan tidak terhingga tidak dapat dieja")
        whole_text, _, fraction_text = format(abs(n), "f").partition(".")
        words = _words_integer(int(whole_text))
        if fraction_text:
            words += ["koma"] + [_ONES[int(c)] for c in fraction_text]
        prefix = ["minus"] if n < 0 else []
        return " ".join(prefix + words)
    prefix = ["minus"] if n < 0 else []
    return " ".join(prefix + _words_integer(abs(n)))


def _zone(tz: str | tzinfo) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Zona waktu '{tz}' tidak dikenal") from exc


def _offset_label(offset: timedelta) -> str:
    label = _TZ_LABELS.get(offset)
    if label is not None:
        return label
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, minutes = divmod(minutes, 60)
    return f"UTC{sign}{hours}" if minutes == 0 else f"UTC{sign}{hours}:{minutes:02d}"


def timezone_label(tz_name: str | tzinfo, at: datetime | None = None) -> str:
    """Return WIB, WITA or WIT for a time zone, derived from its UTC offset at a moment.

    The label comes from the offset (+7 WIB, +8 WITA, +9 WIT) and never from the tz database's
    abbreviation, which has changed over the years. Zones outside Indonesia get ``UTC+10`` style
    labels.

    Args:
        tz_name: An IANA name such as ``"Asia/Makassar"`` or a ``tzinfo``.
        at: The moment (aware, or naive wall time in that zone); default now.

    Raises:
        ValueError: unknown time-zone name.
    """
    zone = _zone(tz_name)
    moment = at if at is not None else datetime.now(zone)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    else:
        moment = moment.astimezone(zone)
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError(f"Zona waktu '{tz_name}' tidak memiliki selisih UTC")
    return _offset_label(offset)


def _local(dt: datetime | time, zone: tzinfo) -> datetime:
    if isinstance(dt, time):
        return datetime.combine(date.today(), dt, tzinfo=zone)
    if dt.tzinfo is None:
        return dt.replace(tzinfo=zone)
    return dt.astimezone(zone)


def format_time(dt: datetime | time, tz: str | tzinfo) -> str:
    """Format a moment as Indonesian documents print times, e.g. ``"pukul 09.00 WIB"``.

    Args:
        dt: An aware datetime (converted to ``tz``), a naive one or a ``time`` (taken as wall
            time in ``tz``).
        tz: IANA name or ``tzinfo`` of the place where the event happens.
    """
    zone = _zone(tz)
    local = _local(dt, zone)
    return f"pukul {local:%H.%M} {timezone_label(zone, local)}"


def format_time_range(start: datetime | time, end: datetime | time, tz: str | tzinfo) -> str:
    """Format a time span in one zone, e.g. ``"pukul 08.00–16.00 WIB"`` (for agendas)."""
    zone = _zone(tz)
    local_start, local_end = _local(start, zone), _local(end, zone)
    return (
        f"pukul {local_start:%H.%M}{_EN_DASH}{local_end:%H.%M} {timezone_label(zone, local_start)}"
    )


def _clean(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def full_name(name: str, front_title: str | None = None, back_title: str | None = None) -> str:
    """Join a name with its academic titles (gelar) the way certificates print it.

    Front titles go before the name, back titles after a comma; the titles are kept as the
    person writes them (``"S.Sos., M.Si."``) apart from collapsing whitespace.

    Args:
        name: The name without titles.
        front_title: e.g. ``"Dr. Ir."``; empty, ``None`` or blank means none.
        back_title: e.g. ``"M.Si."`` or ``"S.E., M.M."``; a leading comma is tolerated.

    Returns:
        e.g. ``"Dr. Ir. Siti Nurhaliza, M.Si."``.
    """
    text = _clean(name)
    front = _clean(front_title)
    back = _clean(back_title).lstrip(",").strip()
    if front:
        text = f"{front} {text}" if text else front
    if back:
        text = f"{text}, {back}" if text else back
    return text


def format_decimal_id(
    x: Decimal | int | float | str, places: int = 2, *, grouping: bool = True
) -> str:
    """Format a number with the Indonesian decimal comma, rounding half-up.

    Floats are converted through their shortest ``repr`` so that ``80.505`` rounds the way
    the user sees it (``"80,51"``) instead of by its binary value.

    Args:
        x: The number.
        places: Digits after the comma (0 for none).
        grouping: Separate thousands with a dot (``"1.234,50"``).

    Returns:
        e.g. ``format_decimal_id(Decimal("80.5")) == "80,50"``.

    Raises:
        ValueError: ``x`` is not a finite number or ``places`` is negative.
    """
    if places < 0:
        raise ValueError("places tidak boleh negatif")
    try:
        value = Decimal(repr(x)) if isinstance(x, float) else Decimal(x)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"'{x}' bukan bilangan") from exc
    if not value.is_finite():
        raise ValueError(f"'{x}' bukan bilangan terhingga")
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):,.{places}f}" if grouping else f"{abs(rounded):.{places}f}"
    text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"-{text}" if rounded < 0 else text


_DATE_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE_WORDS = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})$")
_MONTH_LOOKUP: dict[str, int] = {
    **{name.lower(): i for i, name in enumerate(MONTHS, start=1)},
    **{name.lower()[:3]: i for i, name in enumerate(MONTHS, start=1)},
    "agu": 8,
    "agt": 8,
    "nop": 11,
    "des": 12,
    "okt": 10,
    "peb": 2,
}


def parse_date(text: str) -> date:
    """Read a date as Indonesian spreadsheets and integrations write it.

    Accepts ISO ``2026-11-22`` (optionally with a time part), day-first ``22/11/2026``,
    ``22-11-2026`` (SIASN) or ``22.11.2026``, and ``22 November 2026`` / ``22 Nov 2026``.
    Day-first is the Indonesian convention, so ``03/04/2026`` is 3 April.

    Raises:
        ValueError: with an Indonesian message when the text is not a real date.
    """
    raw = " ".join(text.split())
    try:
        if len(raw) >= 10 and raw[4] == "-" and raw[7] == "-":
            return datetime.fromisoformat(raw).date()
        match = _DATE_DMY.match(raw)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        match = _DATE_WORDS.match(raw)
        if match:
            word = match.group(2).lower()
            month_number = _MONTH_LOOKUP.get(word) or _MONTH_LOOKUP.get(word[:3])
            if month_number is not None:
                return date(int(match.group(3)), month_number, int(match.group(1)))
    except ValueError:
        pass
    raise ValueError(f"Tanggal '{text}' tidak valid; gunakan format 2026-11-22 atau 22/11/2026")


def format_figure_id(x: Decimal | int | float | str, places: int = 2) -> str:
    """A score, JP or percentage as people write it on a page: ``87,5``, ``100``, ``1.234``.

    :func:`format_decimal_id` rounded to ``places``, without the zeros a person would not
    write after the comma. The one home of this shape for every page (scores, JP, IKM).
    """
    text = format_decimal_id(x, places)
    if "," in text:
        text = text.rstrip("0").removesuffix(",")
    return text
