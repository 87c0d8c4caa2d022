"""Golongan (grade) and pangkat (rank) of ASN.

PNS grades run I/a to IV/e and each has a pangkat name that certificates print ("Penata
Tingkat I, III/d"). PPPK grades are I to XVII with no pangkat. Spreadsheets write grades in
many ways ("III/d", "III-d", "IIId", "3d", "iii/d"); everything is stored in one canonical form
so that reports group correctly.
"""

import re

PNS_GOLONGAN: dict[str, str] = {
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
"""Canonical PNS golongan, lowest first, with their pangkat names."""

PPPK_GOLONGAN: tuple[str, ...] = (
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
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
)
"""Canonical PPPK golongan, lowest first."""

_ROMAN_GROUP = {"i": "I", "ii": "II", "iii": "III", "iv": "IV"}
_ARABIC_GROUP = {"1": "I", "2": "II", "3": "III", "4": "IV"}
_PNS_PATTERN = re.compile(r"^(iv|iii|ii|i|[1-4])\s*[/\-.,]?\s*([a-z])$")
# "Penata Tingkat I, III/d" or "Penata Tk. I (III/d)": a golongan at the end after a pangkat.
_PNS_TRAILING = re.compile(r"(?:^|[\s,(])(iv|iii|ii|i)\s*/\s*([a-z])\)?$")
_PREFIX = re.compile(r"^(golongan|gol\.?)\s*", re.IGNORECASE)
_EMPTY_MARKERS = {"", "-", "--", "—", "–"}


class InvalidGolongan(ValueError):
    """A golongan that cannot be read; ``str(exc)`` is an Indonesian message for the user."""


def _canonical_pns(text: str) -> str | None:
    key = text.lower()
    match = _PNS_PATTERN.match(key) or _PNS_TRAILING.search(key)
    if match is None:
        return None
    group_raw, letter = match.groups()
    group = _ROMAN_GROUP.get(group_raw) or _ARABIC_GROUP[group_raw]
    return f"{group}/{letter}"


def _canonical_pppk(text: str) -> str | None:
    key = text.upper().replace(" ", "")
    if key in PPPK_GOLONGAN:
        return key
    if key.isdigit() and 1 <= int(key) <= len(PPPK_GOLONGAN):
        return PPPK_GOLONGAN[int(key) - 1]
    return None


def normalize_golongan(raw: str | int | None, asn_type: str) -> str:
    """Turn a golongan as written in a spreadsheet into its canonical form.

    PNS: ``"III/d"``, ``"III-d"``, ``"IIId"``, ``"3d"``, ``"iii/d"``, ``"Gol. III/d"`` and
    ``"Penata Tingkat I, III/d"`` all give ``"III/d"``. PPPK: ``"IX"``, ``"ix"``, ``"9"`` (or
    the number 9 from an Excel cell) give ``"IX"``.

    Args:
        raw: The value; ``None``, blank or ``"-"`` mean "not given".
        asn_type: ``"pns"``, ``"pppk"`` or ``"non_asn"``.

    Returns:
        The canonical golongan, or ``""`` when none was given.

    Raises:
        InvalidGolongan: unknown golongan, one of the other ASN type, or any golongan for a
            non-ASN person.
    """
    if raw is None or isinstance(raw, bool):
        return ""
    text = _PREFIX.sub("", " ".join(str(raw).split())).strip()
    if text in _EMPTY_MARKERS:
        return ""
    if asn_type == "pns":
        golongan = _canonical_pns(text)
        if golongan in PNS_GOLONGAN:
            return golongan
        group = _ROMAN_GROUP.get(text.lower()) or _ARABIC_GROUP.get(text)
        if group is not None:
            raise InvalidGolongan(
                f"Golongan '{raw}' tidak lengkap; tulis beserta ruangnya, misalnya {group}/a"
            )
        if _canonical_pppk(text) is not None and not text.isdigit():
            raise InvalidGolongan(
                f"Golongan '{raw}' adalah golongan PPPK; golongan PNS ditulis I/a sampai IV/e"
            )
        raise InvalidGolongan(
            f"Golongan '{raw}' tidak dikenal; golongan PNS ditulis I/a sampai IV/e"
        )
    if asn_type == "pppk":
        golongan = _canonical_pppk(text)
        if golongan is not None:
            return golongan
        if _canonical_pns(text) in PNS_GOLONGAN:
            raise InvalidGolongan(
                f"Golongan '{raw}' adalah golongan PNS; golongan PPPK ditulis I sampai XVII"
            )
        raise InvalidGolongan(
            f"Golongan '{raw}' tidak dikenal; golongan PPPK ditulis I sampai XVII"
        )
    raise InvalidGolongan(f"Non ASN tidak memiliki golongan (tertulis '{raw}')")


def pangkat_name(golongan: str | None) -> str | None:
    """Return the pangkat of a canonical PNS golongan (``"III/d"`` -> ``"Penata Tingkat I"``).

    Returns ``None`` for PPPK golongan, unknown values and ``None``: PPPK have no pangkat.
    """
    if not golongan:
        return None
    return PNS_GOLONGAN.get(golongan)


def pangkat_golongan_display(golongan: str | None, asn_type: str) -> str:
    """Return the "Pangkat/Golongan" line of a certificate.

    Args:
        golongan: Canonical golongan (as stored).
        asn_type: ``"pns"``, ``"pppk"`` or ``"non_asn"``.

    Returns:
        ``"Penata Tingkat I, III/d"`` for PNS, ``"IX"`` for PPPK, ``""`` when there is none
        (non-ASN, or no golongan recorded). A PNS golongan without a known pangkat is shown
        as stored rather than dropped.
    """
    if not golongan:
        return ""
    if asn_type == "pns":
        pangkat = pangkat_name(golongan)
        return f"{pangkat}, {golongan}" if pangkat else golongan
    if asn_type == "pppk":
        return golongan
    return ""


def golongan_rank(golongan: str, asn_type: str) -> int:
    """Return the 1-based order of a canonical golongan within its type (for sorting).

    Raises:
        InvalidGolongan: the golongan is not canonical for that ASN type.
    """
    if asn_type == "pns" and golongan in PNS_GOLONGAN:
        return list(PNS_GOLONGAN).index(golongan) + 1
    if asn_type == "pppk" and golongan in PPPK_GOLONGAN:
        return PPPK_GOLONGAN.index(golongan) + 1
    raise InvalidGolongan(f"Golongan '{golongan}' tidak dikenal untuk {asn_type}")
