"""Participant-list rows: from a spreadsheet row to a validated person, or to precise errors.

Organizers send the list they already have (``No;NIP;Nama;Gelar Depan;Gelar Belakang;Jenis
ASN;Golongan;Jabatan;Unit Kerja;Email;No. HP``), sometimes with English headers from another
system. Every problem is reported per row in Indonesian, naming the value, so the organizer can
fix the sheet and upload again; nothing here touches the database (duplicates against stored
people and unit lookup are the import service's job).
"""

import re
from datetime import date
from typing import Literal

import msgspec

from lms.people.golongan import InvalidGolongan, normalize_golongan
from lms.people.nip import InvalidNip, normalize_nip, validate_nip
from lms.shared.tabular import MissingColumns, Table, TableRow, normalize_header

AsnType = Literal["pns", "pppk", "non_asn"]

ASN_TYPE_LABELS: dict[str, str] = {"pns": "PNS", "pppk": "PPPK", "non_asn": "Non ASN"}

JABATAN_TYPES: dict[str, str] = {
    "jpt_utama": "JPT Utama",
    "jpt_madya": "JPT Madya",
    "jpt_pratama": "JPT Pratama",
    "administrator": "Administrator",
    "pengawas": "Pengawas",
    "fungsional": "Fungsional",
    "pelaksana": "Pelaksana",
}
"""Jenis jabatan of UU 20/2023: manajerial (JPT, administrator, pengawas) and nonmanajerial."""

COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    "nip": ("nip", "nip_ni_pppk", "ni_pppk", "nipppk", "nip_nipppk", "nomor_induk_pegawai"),
    "name": ("nama", "name", "nama_lengkap", "nama_tanpa_gelar", "nama_peserta", "full_name"),
    "front_title": ("gelar_depan", "front_title", "gelar_di_depan"),
    "back_title": ("gelar_belakang", "back_title", "gelar_di_belakang"),
    "asn_type": (
        "jenis_asn",
        "asn_type",
        "status_asn",
        "status_kepegawaian",
        "jenis_pegawai",
        "status_pegawai",
    ),
    "golongan": (
        "golongan",
        "gol",
        "golongan_ruang",
        "gol_ruang",
        "pangkat_golongan",
        "pangkat_gol",
        "grade",
    ),
    "jabatan": ("jabatan", "nama_jabatan", "position", "job_title"),
    "jabatan_type": ("jenis_jabatan", "jabatan_type", "kategori_jabatan"),
    "unit_name": (
        "unit_kerja",
        "unit",
        "unit_name",
        "satuan_kerja",
        "satker",
        "opd",
        "perangkat_daerah",
        "instansi",
    ),
    "email": ("email", "e_mail", "surel", "alamat_email"),
    "phone": (
        "no_hp",
        "hp",
        "phone",
        "telepon",
        "no_telepon",
        "nomor_hp",
        "no_telp",
        "telp",
        "nomor_telepon",
        "whatsapp",
        "no_wa",
        "no_hp_wa",
        "ponsel",
    ),
}
"""Normalized header keys (:func:`~lms.shared.tabular.normalize_header`) accepted per field."""

REQUIRED_FIELDS: tuple[str, ...] = ("name", "asn_type")
_FIELD_LABELS = {"name": "Nama", "asn_type": "Jenis ASN", "nip": "NIP"}

_ASN_ALIASES: dict[str, AsnType] = {
    "pns": "pns",
    "cpns": "pns",
    "pegawainegerisipil": "pns",
    "pppk": "pppk",
    "p3k": "pppk",
    "pppkparuhwaktu": "pppk",
    "pegawaipemerintahdenganperjanjiankerja": "pppk",
    "nonasn": "non_asn",
    "honorer": "non_asn",
    "tenagahonorer": "non_asn",
    "thl": "non_asn",
    "tenagaharianlepas": "non_asn",
    "kontrak": "non_asn",
    "tenagakontrak": "non_asn",
}

_JABATAN_ALIASES: dict[str, str] = {
    **{key: key for key in JABATAN_TYPES},
    "jabatan_pimpinan_tinggi_utama": "jpt_utama",
    "pimpinan_tinggi_utama": "jpt_utama",
    "jabatan_pimpinan_tinggi_madya": "jpt_madya",
    "pimpinan_tinggi_madya": "jpt_madya",
    "jabatan_pimpinan_tinggi_pratama": "jpt_pratama",
    "pimpinan_tinggi_pratama": "jpt_pratama",
    "jabatan_administrator": "administrator",
    "jabatan_pengawas": "pengawas",
    "jabatan_fungsional": "fungsional",
    "fungsional_tertentu": "fungsional",
    "jf": "fungsional",
    "jft": "fungsional",
    "jabatan_pelaksana": "pelaksana",
    "fungsional_umum": "pelaksana",
    "jfu": "pelaksana",
    # Eselon ladder before UU 5/2014: Ia, Ib, II, III, IV.
    "eselon_i_a": "jpt_utama",
    "eselon_ia": "jpt_utama",
    "eselon_i_b": "jpt_madya",
    "eselon_ib": "jpt_madya",
    "eselon_ii": "jpt_pratama",
    "eselon_ii_a": "jpt_pratama",
    "eselon_ii_b": "jpt_pratama",
    "eselon_iia": "jpt_pratama",
    "eselon_iib": "jpt_pratama",
    "eselon_iii": "administrator",
    "eselon_iii_a": "administrator",
    "eselon_iii_b": "administrator",
    "eselon_iiia": "administrator",
    "eselon_iiib": "administrator",
    "eselon_iv": "pengawas",
    "eselon_iv_a": "pengawas",
    "eselon_iv_b": "pengawas",
    "eselon_iva": "pengawas",
    "eselon_ivb": "pengawas",
}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_FRONT_TITLES = re.compile(r"^((?:Prof|Dr|Drs|Dra|Ir|dr|drg|H|Hj)\.\s*)+")
_MAX_LENGTHS = {
    "name": 255,
    "front_title": 64,
    "back_title": 128,
    "jabatan": 255,
    "unit_name": 255,
    "email": 255,
}
_FIELD_NAMES_ID = {
    "name": "Nama",
    "front_title": "Gelar depan",
    "back_title": "Gelar belakang",
    "jabatan": "Jabatan",
    "unit_name": "Unit kerja",
    "email": "Email",
}


class PersonRow(msgspec.Struct, frozen=True, kw_only=True):
    """A valid person from an uploaded row, in the shape of ``lms.people.tables.Person``.

    Absent text fields are ``""`` (the table's defaults); ``nip`` is ``None`` when absent
    (only possible for non-ASN), otherwise 18 digits.
    """

    row_number: int
    nip: str | None
    name: str
    front_title: str = ""
    back_title: str = ""
    asn_type: AsnType
    golongan: str = ""
    jabatan: str = ""
    jabatan_type: str = ""
    unit_name: str = ""
    email: str = ""
    phone: str = ""


class RowError(msgspec.Struct, frozen=True):
    """Every problem of one rejected row, for the import report.

    Attributes:
        row_number: The spreadsheet row.
        nip: The NIP as cleaned (or as written when it could not be cleaned), to help the
            organizer find the person; ``None`` when the row has none.
        errors: Indonesian messages, one per problem.
    """

    row_number: int
    nip: str | None
    errors: list[str]


class PeopleFile(msgspec.Struct, frozen=True):
    """All rows of a participant file: the valid people and the rejected rows."""

    people: list[PersonRow]
    errors: list[RowError]


def column_map(headers: list[str]) -> dict[str, str]:
    """Map person fields to the header keys present in a table (first synonym wins)."""
    present = set(headers)
    mapping: dict[str, str] = {}
    for field, keys in COLUMN_SYNONYMS.items():
        for key in keys:
            if key in present:
                mapping[field] = key
                break
    return mapping


def check_columns(table: Table) -> None:
    """Make sure a participant file has the columns every row needs.

    Raises:
        MissingColumns: ``Nama`` or ``Jenis ASN`` is absent; the message lists the columns
            that were found so a wrong header row is easy to spot.
    """
    mapping = column_map(table.headers)
    missing = [_FIELD_LABELS[field] for field in REQUIRED_FIELDS if field not in mapping]
    if missing:
        found = ", ".join(label for label in table.labels if label) or "tidak ada"
        raise MissingColumns(
            f"Kolom wajib tidak ditemukan: {', '.join(missing)}. Kolom yang terbaca: {found}",
            missing,
        )


def _value(row: TableRow, field: str) -> str:
    for key in COLUMN_SYNONYMS[field]:
        text = row.values.get(key)
        if text:
            return " ".join(text.split())
    return ""


def parse_asn_type(raw: str) -> AsnType | None:
    """Read "PNS", "PPPK", "P3K", "Non ASN", "Honorer", "THL"...; None when unknown."""
    return _ASN_ALIASES.get(re.sub(r"[^a-z0-9]", "", raw.lower()))


def parse_jabatan_type(raw: str) -> str | None:
    """Read a jenis jabatan ("JPT Pratama", "Fungsional", "Eselon IV"...); None when unknown."""
    return _JABATAN_ALIASES.get(normalize_header(raw))


def normalize_phone(raw: str) -> str:
    """Clean a phone number into Indonesian national form with a leading ``0``.

    ``"+62 812-3456-7890"`` and ``"6281234567890"`` become ``"081234567890"``; ``"81234567890"``
    (Excel dropped the leading zero of a number cell) gets its ``0`` back.

    Raises:
        ValueError: with an Indonesian message when the result is not 9–14 digits.
    """
    text = re.sub(r"[\s\-.()/\u00a0]", "", raw)
    if text.startswith("+62"):
        text = "0" + text[3:]
    elif text.startswith("62") and len(text) >= 11:
        text = "0" + text[2:]
    elif text.startswith("8"):
        text = "0" + text
    if not re.fullmatch(r"0[0-9]{8,13}", text):
        raise ValueError(f"Nomor HP '{raw}' tidak valid; tulis seperti 081234567890")
    return text


def _split_titles(name: str, front: str, back: str) -> tuple[str, str, str]:
    # Titles typed into the name column ("Drs. Zulkarnain, M.Si.") are moved to their fields,
    # but only when the organizer left those fields empty.
    if not back and "," in name:
        name, _, back = name.partition(",")
        name, back = name.strip(), back.strip()
    if not front:
        match = _FRONT_TITLES.match(name)
        if match and match.end() < len(name):
            front, name = match.group(0).strip(), name[match.end() :].strip()
    return name, front, back


def parse_person_row(row: TableRow, *, today: date | None = None) -> PersonRow | RowError:
    """Validate one row of a participant file.

    Args:
        row: A row of :func:`lms.shared.tabular.read_table`, keys normalized.
        today: Reference date for NIP plausibility (default today).

    Returns:
        A :class:`PersonRow` when the row is valid, else a :class:`RowError` listing every
        problem found (not just the first).
    """
    errors: list[str] = []

    name, front_title, back_title = _split_titles(
        _value(row, "name"), _value(row, "front_title"), _value(row, "back_title")
    )
    if not name:
        errors.append("Nama wajib diisi")
    elif not any(c.isalpha() for c in name):
        errors.append(f"Nama '{name}' tidak berisi huruf")

    raw_asn = _value(row, "asn_type")
    asn_type = parse_asn_type(raw_asn) if raw_asn else None
    if not raw_asn:
        errors.append("Jenis ASN wajib diisi (PNS, PPPK, atau Non ASN)")
    elif asn_type is None:
        errors.append(f"Jenis ASN '{raw_asn}' tidak dikenal; gunakan PNS, PPPK, atau Non ASN")

    raw_nip = _value(row, "nip")
    nip: str | None = None
    try:
        nip = normalize_nip(raw_nip) or None
    except InvalidNip as exc:
        errors.append(str(exc))
    else:
        # An unknown type still gets the length/digit checks.
        errors += validate_nip(nip, asn_type or "", today=today)

    golongan = ""
    raw_golongan = _value(row, "golongan")
    if asn_type is not None:
        try:
            golongan = normalize_golongan(raw_golongan, asn_type)
        except InvalidGolongan as exc:
            errors.append(str(exc))

    jabatan_type = ""
    raw_jabatan_type = _value(row, "jabatan_type")
    if raw_jabatan_type:
        parsed = parse_jabatan_type(raw_jabatan_type)
        if parsed is None:
            errors.append(
                f"Jenis jabatan '{raw_jabatan_type}' tidak dikenal; gunakan "
                + ", ".join(JABATAN_TYPES.values())
            )
        else:
            jabatan_type = parsed

    email = _value(row, "email").lower()
    if email and not _EMAIL.match(email):
        errors.append(f"Email '{email}' tidak valid")

    phone = ""
    raw_phone = _value(row, "phone")
    if raw_phone:
        try:
            phone = normalize_phone(raw_phone)
        except ValueError as exc:
            errors.append(str(exc))

    texts = {
        "name": name,
        "front_title": front_title,
        "back_title": back_title,
        "jabatan": _value(row, "jabatan"),
        "unit_name": _value(row, "unit_name"),
        "email": email,
    }
    for field, limit in _MAX_LENGTHS.items():
        if len(texts[field]) > limit:
            errors.append(f"{_FIELD_NAMES_ID[field]} terlalu panjang (lebih dari {limit} huruf)")

    if errors or asn_type is None:
        return RowError(row_number=row.row_number, nip=nip or raw_nip or None, errors=errors)
    return PersonRow(
        row_number=row.row_number,
        nip=nip,
        name=name,
        front_title=front_title,
        back_title=back_title,
        asn_type=asn_type,
        golongan=golongan,
        jabatan=texts["jabatan"],
        jabatan_type=jabatan_type,
        unit_name=texts["unit_name"],
        email=email,
        phone=phone,
    )


def parse_people(table: Table, *, today: date | None = None) -> PeopleFile:
    """Validate every row of a participant file.

    Rows in which no person column has a value (a template numbered 1–50 with 27 names filled)
    are skipped silently. A NIP that repeats an earlier row of the same file rejects the later
    row, naming the first one.

    Raises:
        MissingColumns: see :func:`check_columns`.
    """
    check_columns(table)
    people: list[PersonRow] = []
    errors: list[RowError] = []
    first_row_of_nip: dict[str, int] = {}
    for row in table.rows:
        if not any(_value(row, field) for field in COLUMN_SYNONYMS):
            continue
        result = parse_person_row(row, today=today)
        if isinstance(result, RowError):
            errors.append(result)
            continue
        if result.nip is not None:
            first = first_row_of_nip.setdefault(result.nip, row.row_number)
            if first != row.row_number:
                errors.append(
                    RowError(
                        row_number=row.row_number,
                        nip=result.nip,
                        errors=[f"NIP {result.nip} sudah ada di baris {first}"],
                    )
                )
                continue
        people.append(result)
    return PeopleFile(people=people, errors=errors)
