"""Request and response bodies of units, people and the people import.

Shape checks (types, lengths, enumerations, unknown fields) live here and answer 400 through
Litestar. Rules that need the other fields or the database (a NIP read by its ASN type, a
golongan of the right type, a unit the caller may use) live in the services and answer 422
with ``errors: [{field, message}]``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from lms.shared.schemas import Code, Input, NonEmptyStr, Output

UnitKind = Literal["pemda", "opd", "bidang", "uptd", "kecamatan", "kelurahan", "desa", "other"]
"""Levels of the tree: pemerintah daerah → OPD / kecamatan → bidang, UPTD, kelurahan / desa."""

Timezone = Literal["Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"]
"""The IANA zones of Indonesia (WIB, WIB, WITA, WIT)."""

AsnType = Literal["pns", "pppk", "non_asn"]
JabatanType = Literal[
    "",
    "jpt_utama",
    "jpt_madya",
    "jpt_pratama",
    "administrator",
    "pengawas",
    "fungsional",
    "pelaksana",
]
"""Jenis jabatan of UU 20/2023 (``""`` when not recorded)."""

City = Annotated[str, msgspec.Meta(max_length=128)]
FrontTitle = Annotated[str, msgspec.Meta(max_length=64)]
BackTitle = Annotated[str, msgspec.Meta(max_length=128)]
NipText = Annotated[str, msgspec.Meta(max_length=40)]
"""A NIP as typed: 18 digits, spaces allowed (``19860926 201505 1 001``); checked by type."""
GolonganText = Annotated[str, msgspec.Meta(max_length=40)]
Jabatan = Annotated[str, msgspec.Meta(max_length=255)]
Email = Annotated[
    str,
    msgspec.Meta(
        max_length=255,
        pattern=r"^$|^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s.\x00-\x1f]{2,}$",
    ),
]
Phone = Annotated[str, msgspec.Meta(max_length=32)]


# --- units ------------------------------------------------------------------------------------


class UnitCreate(Input):
    """A new unit. ``city`` and ``timezone`` default to the parent's.

    Organizers and HR must give a ``parent_id`` inside their own scope; only admins create
    roots (a unit without parent).
    """

    code: Code
    name: NonEmptyStr
    kind: UnitKind = "opd"
    parent_id: UUID | None = None
    city: City | None = None
    timezone: Timezone | None = None


class UnitUpdate(Input):
    """A change to a unit; omitted fields stay. A new ``parent_id`` moves the whole subtree."""

    code: Code | msgspec.UnsetType = msgspec.UNSET
    name: NonEmptyStr | msgspec.UnsetType = msgspec.UNSET
    kind: UnitKind | msgspec.UnsetType = msgspec.UNSET
    parent_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    city: City | msgspec.UnsetType = msgspec.UNSET
    timezone: Timezone | msgspec.UnsetType = msgspec.UNSET


class UnitRead(Output):
    """A unit. ``path`` is the chain of ids from the root (``/<root>/.../<id>/``)."""

    id: UUID
    code: str
    name: str
    kind: str
    parent_id: UUID | None
    path: str
    city: str
    timezone: str
    created_at: dt.datetime


# --- people -----------------------------------------------------------------------------------


class PersonCreate(Input):
    """A new person. ``name`` is without titles; the gelar go in ``front_title``/``back_title``.

    ``nip`` is required for PNS and PPPK (18 digits, spaces allowed) and optional for non-ASN.
    ``golongan`` is written as in a spreadsheet (``III/d``, ``3d``, ``IX``) and stored
    canonical. Organizers and HR who omit ``unit_id`` put the person in their own unit.
    """

    name: NonEmptyStr
    asn_type: AsnType
    nip: NipText | None = None
    front_title: FrontTitle = ""
    back_title: BackTitle = ""
    golongan: GolonganText = ""
    jabatan: Jabatan = ""
    jabatan_type: JabatanType = ""
    unit_id: UUID | None = None
    email: Email = ""
    phone: Phone = ""


class PersonUpdate(Input):
    """A change to a person; omitted fields stay. The NIP and golongan are checked again
    against the (possibly new) ``asn_type``."""

    name: NonEmptyStr | msgspec.UnsetType = msgspec.UNSET
    asn_type: AsnType | msgspec.UnsetType = msgspec.UNSET
    nip: NipText | None | msgspec.UnsetType = msgspec.UNSET
    front_title: FrontTitle | msgspec.UnsetType = msgspec.UNSET
    back_title: BackTitle | msgspec.UnsetType = msgspec.UNSET
    golongan: GolonganText | msgspec.UnsetType = msgspec.UNSET
    jabatan: Jabatan | msgspec.UnsetType = msgspec.UNSET
    jabatan_type: JabatanType | msgspec.UnsetType = msgspec.UNSET
    unit_id: UUID | None | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType = msgspec.UNSET
    phone: Phone | msgspec.UnsetType = msgspec.UNSET


class PersonRead(Output):
    """A person with the display fields documents print.

    ``full_name`` carries the titles ("Drs. Zulkarnain, M.Si."), ``nip_display`` groups the
    digits ("19860926 201505 1 001"; NI PPPK "19860427 2022 21 1 011"), ``pangkat_golongan`` is
    the certificate line ("Penata Tingkat I, III/d"; PPPK just "IX").
    """

    id: UUID
    nip: str | None
    nip_display: str
    name: str
    front_title: str
    back_title: str
    full_name: str
    asn_type: str
    golongan: str
    pangkat: str | None
    pangkat_golongan: str
    jabatan: str
    jabatan_type: str
    unit_id: UUID | None
    unit_name: str | None
    email: str
    phone: str
    created_at: dt.datetime
    updated_at: dt.datetime


# --- import -----------------------------------------------------------------------------------


class ImportRejection(Output):
    """A row that was not imported, with every reason (Indonesian)."""

    row: int
    nip: str | None
    errors: list[str]


class UnitCreatedRef(Output):
    """A unit the import created because no unit in the caller's scope had that name."""

    code: str
    name: str


class ImportReport(Output):
    """What an import did, in fields and as one Indonesian sentence (``message``)."""

    created: int
    updated: int
    unchanged: int
    rejected: list[ImportRejection]
    units_created: list[UnitCreatedRef]
    message: str
