"""NIP (PNS) and NI PPPK: cleaning, validation, display.

Both numbers have 18 digits and start with the holder's birth date, but the middle differs:

* NIP PNS ``YYYYMMDD YYYYMM S NNN``: birth date, TMT CPNS (year and month), sex, sequence.
* NI PPPK ``YYYYMMDD YYYY XX S NNN``: birth date, appointment **year**, two digits, sex,
  sequence. Reading digits 13–14 as a month (the PNS rule) wrongly rejects e.g.
  ``198604272022211011``, so every rule here takes the ASN type.

Numbers arrive from Excel, where an 18-digit number typed into a General cell is kept to 15
significant digits (``1.98609082018111E+17``): the last digits are gone and must not be guessed,
so such values are refused with a message telling the organizer how to fix the sheet.
"""

import re
from datetime import date
from typing import Literal

AsnType = Literal["pns", "pppk", "non_asn"]
Sex = Literal["male", "female"]

NIP_LENGTH = 18
MIN_BIRTH_YEAR = 1940
MIN_AGE_AT_APPOINTMENT = 15
"""Years between birth and TMT/appointment below which the number is implausible.

Deliberately lenient: CPNS must be 18 when applying, but older (converted) NIPs carry young
TMTs, and a wrongly rejected real NIP blocks an import while a typo is rare to pass this.
"""
MIN_PPPK_YEAR = 2019
"""PPPK were first appointed under PP 49/2018; no NI PPPK carries an earlier year."""

_DIGITS_18 = re.compile(r"[0-9]{18}")
_EXCEL_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?[eE][+-]?\d+$")
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]")


class InvalidNip(ValueError):
    """A NIP that cannot be read; ``str(exc)`` is an Indonesian message for the user."""


_EXCEL_HINT = (
    "NIP tersimpan sebagai angka di Excel sehingga digit terakhirnya hilang ({raw}); "
    "ubah format kolom NIP menjadi Teks lalu ketik ulang NIP"
)


def normalize_nip(raw: str | int | float | None) -> str:
    """Clean a NIP as typed or exported into the bare digits that are stored.

    Removes spaces (``"19860926 201505 1 001"``), dots, hyphens, a leading apostrophe
    (Excel's text marker) and the ``".0"`` an Excel export appends to a number. An ``int``
    (what openpyxl returns for an integer cell) is exact and kept. Whatever is left that is not
    a digit is left in place for :func:`validate_nip` to report.

    Args:
        raw: The value from a form, CSV or spreadsheet cell; ``None`` or blank gives ``""``.

    Returns:
        The cleaned NIP, ``""`` when empty.

    Raises:
        InvalidNip: the value is a float or scientific notation (``1.98609082018111e+17``):
            Excel has already dropped digits and they cannot be recovered.
    """
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise InvalidNip(f"NIP '{raw}' tidak valid")
    if isinstance(raw, int):
        if raw < 0:
            raise InvalidNip(f"NIP '{raw}' tidak valid")
        return str(raw)
    if isinstance(raw, float):
        raise InvalidNip(_EXCEL_HINT.format(raw=format(raw, ".15g")))
    text = raw.strip().lstrip("'").strip()
    if _EXCEL_NUMBER.match(text):
        raise InvalidNip(_EXCEL_HINT.format(raw=text))
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".", 1)[0]
    return _SEPARATORS.sub("", text)


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def validate_nip(
    nip: str | None,
    asn_type: str,
    *,
    today: date | None = None,
) -> list[str]:
    """Check a (normalized) NIP against the rules of the holder's ASN type.

    Rules: 18 digits for everyone who has one. PNS: real birth date (1940 to today),
    TMT ``YYYYMM`` with month 01–12, not before the holder turned 15 and not after next year,
    sex digit 1 or 2, sequence not ``000``. PPPK: real birth date, appointment year 2019 to
    next year and at least 15 years after birth, two free digits, sex digit 1 or 2, any
    sequence. Non-ASN: the NIP is optional; if given it must be 18 digits.

    Args:
        nip: The NIP after :func:`normalize_nip`; ``None``/``""`` when absent.
        asn_type: ``"pns"``, ``"pppk"`` or ``"non_asn"``.
        today: The reference date for "not in the future" (default: today).

    Returns:
        Indonesian error messages; empty when the NIP is acceptable.
    """
    today = today or date.today()
    label = "NI PPPK" if asn_type == "pppk" else "NIP"
    if not nip:
        if asn_type in ("pns", "pppk"):
            return [f"{label} wajib diisi untuk {'PNS' if asn_type == 'pns' else 'PPPK'}"]
        return []
    if not re.fullmatch(r"[0-9]+", nip):
        return [f"{label} hanya boleh berisi angka ('{nip}')"]
    if len(nip) != NIP_LENGTH:
        return [f"{label} harus {NIP_LENGTH} digit, bukan {len(nip)} digit ('{nip}')"]
    if asn_type not in ("pns", "pppk"):
        return []

    errors: list[str] = []
    birth_year = int(nip[0:4])
    birth = _real_date(birth_year, int(nip[4:6]), int(nip[6:8]))
    if birth is None:
        errors.append(f"Tanggal lahir pada {label} ({nip[0:8]}) bukan tanggal yang sah")
    elif not MIN_BIRTH_YEAR <= birth.year <= today.year or birth > today:
        errors.append(
            f"Tahun lahir pada {label} ({birth.year}) harus antara {MIN_BIRTH_YEAR} "
            f"dan {today.year}"
        )

    if asn_type == "pns":
        tmt_year, tmt_month = int(nip[8:12]), int(nip[12:14])
        if not 1 <= tmt_month <= 12:
            errors.append(f"Bulan TMT CPNS pada NIP ({nip[12:14]}) harus 01–12")
        elif tmt_year > today.year + 1:
            errors.append(f"Tahun TMT CPNS pada NIP ({tmt_year}) belum terjadi")
        elif birth is not None and tmt_year < birth.year + MIN_AGE_AT_APPOINTMENT:
            errors.append(
                f"TMT CPNS pada NIP ({nip[8:12]}-{nip[12:14]}) terlalu dekat dengan "
                f"tahun lahir ({birth.year})"
            )
    else:
        year = int(nip[8:12])
        if not MIN_PPPK_YEAR <= year <= today.year + 1:
            errors.append(
                f"Tahun pengangkatan pada NI PPPK ({year}) harus antara {MIN_PPPK_YEAR} "
                f"dan {today.year + 1}"
            )
        elif birth is not None and year < birth.year + MIN_AGE_AT_APPOINTMENT:
            errors.append(
                f"Tahun pengangkatan pada NI PPPK ({year}) terlalu dekat dengan "
                f"tahun lahir ({birth.year})"
            )

    if nip[14] not in "12":
        errors.append(f"Digit jenis kelamin pada {label} ({nip[14]}) harus 1 atau 2")
    if asn_type == "pns" and nip[15:18] == "000":
        errors.append("Nomor urut pada NIP tidak boleh 000")
    return errors


def _looks_pppk(nip: str) -> bool:
    # Without the ASN type, digits 13-14 that cannot be a month can only be an NI PPPK.
    return not 1 <= int(nip[12:14]) <= 12


def format_nip(nip: str | None, asn_type: str | None = None) -> str:
    """Group a NIP's digits for display.

    Args:
        nip: The stored 18 digits.
        asn_type: ``"pppk"`` groups 8-4-2-1-3, anything else 8-6-1-3. When ``None`` the
            PPPK grouping is used only if digits 13–14 cannot be a month (an NI PPPK whose two
            free digits look like a month is then shown PNS-style: pass the type when known).

    Returns:
        ``"19860926 201505 1 001"`` (PNS), ``"19860427 2022 21 1 011"`` (PPPK); anything that
        is not 18 digits is returned unchanged (``""`` for ``None``).
    """
    if not nip:
        return ""
    if not _DIGITS_18.fullmatch(nip):
        return nip
    if asn_type == "pppk" or (asn_type is None and _looks_pppk(nip)):
        return f"{nip[0:8]} {nip[8:12]} {nip[12:14]} {nip[14]} {nip[15:18]}"
    return f"{nip[0:8]} {nip[8:14]} {nip[14]} {nip[15:18]}"


def mask_nip(nip: str | None, asn_type: str | None = None) -> str:
    """Hide all but the birth year and the sequence of a NIP, for public pages.

    The birth date is personal data: the public verification page showed it whole
    (``19780328 ****** * 006``), so anyone scanning a certificate learned the holder's date of
    birth. The year and the last three digits are enough for a holder to recognise their
    number and not enough to rebuild it: ``"1986**** ****** * 001"`` (PNS) or
    ``"1986**** **** ** * 011"`` (PPPK; grouping chosen as in :func:`format_nip`). Values that
    are not 18 digits are masked entirely except their last three characters. Every masked NIP
    the application shows comes from here (or :func:`mask_display_nip`).
    """
    if not nip:
        return ""
    if not _DIGITS_18.fullmatch(nip):
        return "*" * max(len(nip) - 3, 0) + nip[-3:]
    if asn_type == "pppk" or (asn_type is None and _looks_pppk(nip)):
        return f"{nip[0:4]}**** **** ** * {nip[15:18]}"
    return f"{nip[0:4]}**** ****** * {nip[15:18]}"


def mask_display_nip(nip_display: str | None) -> str | None:
    """Mask a NIP as printed ("19860926 201505 1 001" -> "1986**** ****** * 001").

    A certificate's snapshot keeps the printed grouping, which tells a NI PPPK (five groups)
    from a PNS NIP.
    """
    if not nip_display:
        return None
    groups = nip_display.split()
    return mask_nip("".join(groups), "pppk" if len(groups) == 5 else "pns")


def sex_from_nip(nip: str | None) -> Sex | None:
    """Read the sex digit (position 15 for both PNS and PPPK): 1 male, 2 female, else None."""
    if not nip or not _DIGITS_18.fullmatch(nip):
        return None
    if nip[14] == "1":
        return "male"
    if nip[14] == "2":
        return "female"
    return None


def birth_date_from_nip(nip: str | None) -> date | None:
    """Read the birth date from the first 8 digits; None when absent or not a real date."""
    if not nip or not _DIGITS_18.fullmatch(nip):
        return None
    return _real_date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
