"""Survei Kepuasan Masyarakat (SKM) and its index (IKM), per PermenPANRB 14/2017.

Each respondent scores nine elements (unsur) U1–U9 from 1 to 4. Per element the NRR (nilai
rata-rata) is the sum of the answers divided by the respondents who answered it; the unit's
SKM value is the sum of the NRRs weighted **exactly** 1/9 (the regulation's worked example
uses 0.111, which makes a perfect survey 99.9 instead of 100), and the IKM is that value
times 25, so it lies between 25 and 100. The category is read from the IKM rounded to two
decimals half-up: A >= 88.31 Sangat Baik, B >= 76.61 Baik, C >= 65.00 Kurang Baik, else D Tidak
Baik. All arithmetic is done with fractions and rounded once, at the end, so the same answers
always give the same published number.

U6 (kompetensi pelaksana) and U7 (perilaku pelaksana) are what service-excellence training
aims at; the training-impact report compares them between periods.
"""

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import msgspec

from lms.competencies.report_schemas import SkmSample
from lms.shared.indonesian import parse_date
from lms.shared.tabular import MissingColumns, TableRow, read_table

ELEMENTS: dict[str, str] = {
    "U1": "Persyaratan",
    "U2": "Sistem, Mekanisme, dan Prosedur",
    "U3": "Waktu Penyelesaian",
    "U4": "Biaya/Tarif",
    "U5": "Produk Spesifikasi Jenis Pelayanan",
    "U6": "Kompetensi Pelaksana",
    "U7": "Perilaku Pelaksana",
    "U8": "Sarana dan Prasarana",
    "U9": "Penanganan Pengaduan, Saran dan Masukan",
}
"""The nine elements, in questionnaire order, with their names in the regulation."""

ELEMENT_CODES: tuple[str, ...] = tuple(ELEMENTS)
WEIGHT = Fraction(1, len(ELEMENTS))
CONVERSION = 25
MIN_ANSWER, MAX_ANSWER = 1, 4

CATEGORY_LABELS: dict[str, str] = {
    "A": "Sangat Baik",
    "B": "Baik",
    "C": "Kurang Baik",
    "D": "Tidak Baik",
}
"""Mutu pelayanan for each category."""

_CATEGORY_FLOORS: tuple[tuple[Decimal, str], ...] = (
    (Decimal("88.31"), "A"),
    (Decimal("76.61"), "B"),
    (Decimal("65.00"), "C"),
)

OmbudsmanZone = Literal["green", "yellow", "red"]
ZONE_LABELS: dict[str, str] = {"green": "Zona Hijau", "yellow": "Zona Kuning", "red": "Zona Merah"}
"""Ombudsman RI compliance zones (2021): green 81.00–100, yellow 51.00–80.99, red 0–50.99."""


KREJCIE_MORGAN: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44),
    (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76),
    (100, 80), (110, 86), (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118),
    (180, 123), (190, 127), (200, 132), (210, 136), (220, 140), (230, 144), (240, 148),
    (250, 152), (260, 155), (270, 159), (280, 162), (290, 165), (300, 169), (320, 175),
    (340, 181), (360, 186), (380, 191), (400, 196), (420, 201), (440, 205), (460, 210),
    (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248), (750, 254),
    (800, 260), (850, 265), (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291),
    (1300, 297), (1400, 302), (1500, 306), (1600, 310), (1700, 313), (1800, 317), (1900, 320),
    (2000, 322), (2200, 327), (2400, 331), (2600, 335), (2800, 338), (3000, 341), (3500, 346),
    (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364), (8000, 367), (9000, 368),
    (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380), (50000, 381),
    (75000, 382), (1000000, 384),
)  # fmt: skip
"""Population (N) and minimum sample (S) as tabulated in PermenPANRB 14/2017's appendix
(Krejcie and Morgan, 1970: 95 % confidence, 5 % margin, p = 0.5)."""


def minimum_sample(population: int) -> int:
    """The minimum number of respondents for ``population`` service users.

    A population between two rows of the table takes the larger row (the table is read
    upwards, never interpolated down); below 10 every user is asked; above the last row 384.
    """
    if population <= KREJCIE_MORGAN[0][0]:
        return max(population, 0)
    for rows, sample in KREJCIE_MORGAN:
        if population <= rows:
            return sample
    return KREJCIE_MORGAN[-1][1]


def sample_check(respondents: int, population: int | None) -> SkmSample:
    """Judge a survey's sample against PermenPANRB 14/2017 (see :func:`minimum_sample`).

    Args:
        respondents: Respondents counted in the index.
        population: Service users per period as set for the unit; ``None`` when not set.
    """
    if population is None or population <= 0:
        return SkmSample(
            population=None,
            minimum=None,
            respondents=respondents,
            sufficient=None,
            message=(
                f"Kecukupan sampel belum dapat dinilai: populasi penerima layanan unit belum "
                f"diatur ({respondents} responden)."
            ),
        )
    minimum = minimum_sample(population)
    if respondents >= minimum:
        message = (
            f"Sampel memenuhi: {respondents} responden, minimum {minimum} untuk populasi "
            f"{population} (PermenPANRB 14/2017, tabel Krejcie-Morgan)."
        )
    else:
        message = (
            f"Sampel belum memenuhi: {respondents} responden, minimum {minimum} untuk populasi "
            f"{population} (PermenPANRB 14/2017, tabel Krejcie-Morgan); IKM ini belum dapat "
            "dianggap mewakili."
        )
    return SkmSample(
        population=population,
        minimum=minimum,
        respondents=respondents,
        sufficient=respondents >= minimum,
        message=message,
    )


class SkmError(ValueError):
    """Answers that cannot be scored; ``str(exc)`` is an Indonesian message."""


class SkmResult(msgspec.Struct, frozen=True, kw_only=True):
    """The index of one survey (one unit, one period).

    Attributes:
        respondents: Respondents with at least one answer.
        answered: Per element, how many respondents answered it (NRR's denominator).
        nrr: Per element, the mean answer (1–4), rounded half-up to 4 decimals.
        element_ikm: Per element, NRR x 25 (the element on the 25–100 scale), 2 decimals.
        skm: Sum of NRR x 1/9 (1–4 scale, "nilai indeks"), 4 decimals.
        ikm: SKM x 25, 2 decimals: the published number.
        category: ``"A"`` to ``"D"``, from the rounded IKM.
        category_label: ``"Sangat Baik"``, ``"Baik"``, ``"Kurang Baik"`` or ``"Tidak Baik"``.
    """

    respondents: int
    answered: dict[str, int]
    nrr: dict[str, Decimal]
    element_ikm: dict[str, Decimal]
    skm: Decimal
    ikm: Decimal
    category: str
    category_label: str


def round_half_up(value: Fraction | Decimal | int, places: int) -> Decimal:
    """Round an exact value half-up (away from zero) to ``places`` decimals, exactly."""
    exact = Fraction(value)
    scaled = abs(exact) * 10**places
    whole = math.floor(scaled + Fraction(1, 2))
    if exact < 0:
        whole = -whole
    return Decimal(whole).scaleb(-places)


def category_for(ikm: Decimal | Fraction | int) -> str:
    """Return the SKM category (A–D) of an IKM, after rounding it to 2 decimals half-up.

    ``88.31`` is A, ``88.30`` B, ``76.61`` B, ``76.60`` C, ``65.00`` C, ``64.99`` D; an
    unrounded ``88.305`` rounds to ``88.31`` and is A.
    """
    rounded = round_half_up(ikm, 2)
    for floor, category in _CATEGORY_FLOORS:
        if rounded >= floor:
            return category
    return "D"


def ombudsman_zone(score: Decimal | Fraction | int) -> OmbudsmanZone:
    """Return the Ombudsman compliance zone of a 0–100 score rounded to 2 decimals.

    Raises:
        ValueError: the score is outside 0–100.
    """
    rounded = round_half_up(score, 2)
    if not 0 <= rounded <= 100:
        raise ValueError(f"Nilai kepatuhan harus 0–100, bukan {rounded}")
    if rounded >= Decimal("81.00"):
        return "green"
    if rounded >= Decimal("51.00"):
        return "yellow"
    return "red"


def _check_answer(value: object, respondent: int, code: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise SkmError(f"Jawaban {code} responden ke-{respondent} harus angka 1–4")
    if not MIN_ANSWER <= value <= MAX_ANSWER:
        raise SkmError(f"Jawaban {code} responden ke-{respondent} bernilai {value}; harus 1–4")
    return value


def compute_ikm(answers: Sequence[Sequence[int | None]]) -> SkmResult:
    """Compute NRR per element, the SKM value and the IKM with its category.

    Args:
        answers: One list of nine answers (U1..U9) per respondent; ``None`` is an element the
            respondent did not answer.

    Raises:
        SkmError: no respondents, a row that is not nine answers or has none, an answer
            outside 1–4, or an element nobody answered (its NRR would be undefined, and
            dropping it would change the 1/9 weights).
    """
    if not answers:
        raise SkmError("Belum ada responden")
    sums = dict.fromkeys(ELEMENT_CODES, 0)
    counts = dict.fromkeys(ELEMENT_CODES, 0)
    respondents = 0
    for index, row in enumerate(answers, start=1):
        if len(row) != len(ELEMENT_CODES):
            raise SkmError(f"Responden ke-{index} harus memiliki 9 jawaban, bukan {len(row)}")
        values = [_check_answer(v, index, code) for v, code in zip(row, ELEMENT_CODES, strict=True)]
        if all(v is None for v in values):
            raise SkmError(f"Responden ke-{index} tidak menjawab satu unsur pun")
        respondents += 1
        for code, value in zip(ELEMENT_CODES, values, strict=True):
            if value is not None:
                sums[code] += value
                counts[code] += 1

    unanswered = [code for code in ELEMENT_CODES if counts[code] == 0]
    if unanswered:
        raise SkmError(f"Unsur {', '.join(unanswered)} tidak dijawab oleh satu responden pun")

    nrr = {code: Fraction(sums[code], counts[code]) for code in ELEMENT_CODES}
    skm = sum((value * WEIGHT for value in nrr.values()), Fraction(0))
    ikm = round_half_up(skm * CONVERSION, 2)
    category = category_for(ikm)
    return SkmResult(
        respondents=respondents,
        answered=counts,
        nrr={code: round_half_up(value, 4) for code, value in nrr.items()},
        element_ikm={code: round_half_up(value * CONVERSION, 2) for code, value in nrr.items()},
        skm=round_half_up(skm, 4),
        ikm=ikm,
        category=category,
        category_label=CATEGORY_LABELS[category],
    )


# --- Upload ---------------------------------------------------------------------------------


class SkmResponse(msgspec.Struct, frozen=True, kw_only=True):
    """One valid respondent row of an uploaded survey file (an ``SkmAnswer`` to store)."""

    row_number: int
    respondent: str
    unit_code: str
    period: str
    service: str
    answered_on: date | None
    answers: list[int | None]


class SkmRowError(msgspec.Struct, frozen=True):
    """The problems of one rejected row of a survey file (Indonesian messages)."""

    row_number: int
    errors: list[str]


class SkmFile(msgspec.Struct, frozen=True):
    """A parsed survey upload.

    Attributes:
        responses: Valid rows, in file order.
        errors: Rejected rows; they are left out of ``periods``.
        periods: Valid answers grouped by period, ready for :func:`compute_ikm`.
        unit_code: The unit the file is about (``""`` when the file has no unit column).
    """

    responses: list[SkmResponse]
    errors: list[SkmRowError]
    periods: dict[str, list[list[int | None]]]
    unit_code: str


_COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent": ("respondent", "responden", "no_responden", "no"),
    "unit_code": ("unit_code", "kode_unit", "unit"),
    "period": ("period", "periode"),
    "service": ("service", "layanan", "jenis_layanan"),
    "date": ("date", "tanggal", "tanggal_survei"),
}


def _element_keys(code: str) -> tuple[str, ...]:
    number = code[1:]
    return (f"u{number}", f"unsur_{number}", f"unsur{number}")


def _pick(row: TableRow, keys: tuple[str, ...]) -> str:
    for key in keys:
        if key in row.values:
            return row.values[key]
    return ""


def _parse_answer(text: str, code: str, errors: list[str]) -> int | None:
    if text == "":
        return None
    if text.isascii() and text.isdigit() and MIN_ANSWER <= int(text) <= MAX_ANSWER:
        return int(text)
    errors.append(f"{code} bernilai '{text}'; jawaban harus angka 1–4 atau dikosongkan")
    return None


def parse_skm_csv(
    data: bytes,
    *,
    filename: str = "skm.csv",
    max_rows: int = 50_000,
    max_bytes: int = 10 * 1024 * 1024,
) -> SkmFile:
    """Read a survey answers file (``respondent,unit_code,period,service,date,U1..U9``).

    Column names are matched case-insensitively (Indonesian names such as ``periode``,
    ``layanan``, ``tanggal`` also work) and an .xlsx with the same columns is read as well.
    An empty answer is "not answered". A file is about one unit: a row whose unit code differs
    from the first row's is rejected.

    Raises:
        lms.shared.tabular.TabularError: the file itself is unreadable or too large
            (``MissingColumns`` when ``period`` or an element column is absent).
    """
    table = read_table(data, filename, max_rows=max_rows, max_bytes=max_bytes)
    present = set(table.headers)
    missing = [code for code in ELEMENT_CODES if not any(k in present for k in _element_keys(code))]
    if not any(key in present for key in _COLUMNS["period"]):
        missing.insert(0, "period")
    if missing:
        raise MissingColumns(f"Kolom wajib tidak ditemukan: {', '.join(missing)}", missing)

    responses: list[SkmResponse] = []
    errors: list[SkmRowError] = []
    unit_code = ""
    for row in table.rows:
        row_errors: list[str] = []
        period = _pick(row, _COLUMNS["period"])
        if not period:
            row_errors.append("Periode wajib diisi")
        answers = [
            _parse_answer(_pick(row, _element_keys(code)), code, row_errors)
            for code in ELEMENT_CODES
        ]
        if not row_errors and all(a is None for a in answers):
            row_errors.append("Tidak ada jawaban U1–U9")
        answered_on: date | None = None
        date_text = _pick(row, _COLUMNS["date"])
        if date_text:
            try:
                answered_on = parse_date(date_text)
            except ValueError as exc:
                row_errors.append(str(exc))
        row_unit = _pick(row, _COLUMNS["unit_code"])
        if row_unit and not unit_code:
            unit_code = row_unit
        elif row_unit and row_unit != unit_code:
            row_errors.append(
                f"Kode unit '{row_unit}' berbeda dengan '{unit_code}'; satu berkas untuk satu unit"
            )
        if row_errors:
            errors.append(SkmRowError(row_number=row.row_number, errors=row_errors))
            continue
        responses.append(
            SkmResponse(
                row_number=row.row_number,
                respondent=_pick(row, _COLUMNS["respondent"]),
                unit_code=row_unit,
                period=period,
                service=_pick(row, _COLUMNS["service"]),
                answered_on=answered_on,
                answers=answers,
            )
        )

    periods: dict[str, list[list[int | None]]] = {}
    for response in responses:
        periods.setdefault(response.period, []).append(response.answers)
    return SkmFile(responses=responses, errors=errors, periods=periods, unit_code=unit_code)
