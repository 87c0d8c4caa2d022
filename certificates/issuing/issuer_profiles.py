"""Issuer profiles: how a unit issues certificates (number pattern, signer, city, template,
logo and signature image), and the issuer a session's certificates are printed with.

A session is issued by the nearest unit up its unit path that has a profile, so a city can set
one profile for every office below it and an office can override it with its own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec

from certificates.issuing.numbering_pattern import PatternError, check_pattern, format_number
from certificates.issuing.schemas import IssuerProfileRead, IssuerProfileWrite
from certificates.rendering.bsre import INVISIBLE, SignaturePlacement
from certificates.rendering.storage import FileStore
from certificates.rendering.templating import TemplateSource, default_template
from certificates.tables import CertificateTemplate, IssuerProfile
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.config import Settings
from lms.db.dialect import is_unique_violation
from lms.people.nip import format_nip
from lms.people.tables import Unit
from lms.shared.errors import BadRequest, Conflict, NotFound, RuleViolation
from lms.shared.letterhead import Letterhead

NO_PROFILE = (
    "Profil penerbit sertifikat untuk unit penyelenggara belum diatur "
    "(pola nomor, kota, nama dan jabatan penanda tangan): atur lewat PUT /api/v1/issuer-profile."
)
UNIT_NOT_FOUND = "Unit tidak ditemukan."
TEMPLATE_NOT_FOUND = "Templat sertifikat tidak ditemukan."


class Issuer(msgspec.Struct, frozen=True, kw_only=True):
    """Everything about the issuing unit that a certificate prints, resolved once per job."""

    unit_id: UUID
    unit_code: str
    number_pattern: str
    organizer_name: str
    government_name: str | None
    city: str
    signer_name: str
    signer_jabatan: str
    signer_nip_display: str | None
    signer_pangkat: str | None
    template: TemplateSource
    template_version: int
    logo: str | None
    logo_sha256: str
    signature_image: str | None
    signature_sha256: str
    signature_placement: SignaturePlacement = INVISIBLE


def path_ids(unit_path: str) -> list[UUID]:
    """The unit ids of a materialised path, root first."""
    ids = []
    for part in unit_path.strip("/").split("/"):
        try:
            ids.append(UUID(part))
        except ValueError:
            continue
    return ids


async def template_source(template_id: UUID | None) -> tuple[TemplateSource, int]:
    """A stored template as the render workers take it (the built-in one for ``None``)."""
    if template_id is None:
        return default_template(), 0
    row = await (
        CertificateTemplate.select(
            CertificateTemplate.html, CertificateTemplate.css, CertificateTemplate.version
        )
        .where(CertificateTemplate.id == template_id)
        .first()
    )
    if row is None:
        return default_template(), 0
    source = TemplateSource(
        html=row["html"], css=row["css"] or "", key=f"{template_id}:{row['version']}"
    )
    return source, int(row["version"])


async def template_placement(template_id: UUID | None) -> SignaturePlacement:
    """Where a BSrE signature goes on certificates of this template (invisible by default)."""
    if template_id is None:
        return INVISIBLE
    row = await (
        CertificateTemplate.select(CertificateTemplate.signature_placement)
        .where(CertificateTemplate.id == template_id)
        .first()
    )
    return placement_from(row["signature_placement"] if row else None)


def placement_from(raw: Any) -> SignaturePlacement:
    """A template's stored ``signature_placement`` column as a placement (``{}``: invisible)."""
    if isinstance(raw, str):  # Piccolo gives a JSON column's text
        raw = msgspec.json.decode(raw) if raw.strip() else None
    if not raw:
        return INVISIBLE
    return msgspec.convert(raw, SignaturePlacement)


async def resolve_issuer(unit_path: str, store: FileStore) -> Issuer:
    """The issuer of a session held by the unit at ``unit_path`` (nearest profile upwards).

    Raises:
        RuleViolation: no unit on the path has a complete profile.
    """
    ids = path_ids(unit_path)
    if not ids:
        raise RuleViolation(NO_PROFILE)
    rows = await IssuerProfile.select(
        *IssuerProfile.all_columns(),
        IssuerProfile.unit.code.as_alias("unit_code"),
    ).where(IssuerProfile.unit.is_in(ids))
    by_unit = {row["unit"]: row for row in rows}
    profile = next((by_unit[i] for i in reversed(ids) if i in by_unit), None)
    if profile is None or not (profile["signer_name"] and profile["signer_jabatan"]):
        raise RuleViolation(NO_PROFILE)
    government_name = None
    if len(ids) > 1:
        root = await Unit.select(Unit.name).where(Unit.id == ids[0]).first()
        government_name = root["name"] if root else None
    template, version = await template_source(profile["template"])
    logo_sha = profile["logo_sha256"] or ""
    signature_sha = profile["signature_sha256"] or ""
    return Issuer(
        unit_id=profile["unit"],
        unit_code=profile["unit_code"] or "",
        number_pattern=profile["number_pattern"],
        organizer_name=profile["organizer_name"],
        government_name=government_name,
        city=profile["city"],
        signer_name=profile["signer_name"],
        signer_jabatan=profile["signer_jabatan"],
        signer_nip_display=format_nip(profile["signer_nip"]) or None,
        signer_pangkat=profile["signer_pangkat"] or None,
        template=template,
        template_version=version,
        logo=store.read_asset(logo_sha) if logo_sha else None,
        logo_sha256=logo_sha,
        signature_image=store.read_asset(signature_sha) if signature_sha else None,
        signature_sha256=signature_sha,
        signature_placement=await template_placement(profile["template"]),
    )


async def letterhead_for(unit_path: str, store: FileStore) -> Letterhead | None:
    """The letterhead of the unit at ``unit_path``: the nearest issuer profile up the path
    (as for certificates), with the government's name from the root unit; ``None`` when no
    unit on the path has a profile."""
    ids = path_ids(unit_path)
    if not ids:
        return None
    rows = await IssuerProfile.select(
        IssuerProfile.unit,
        IssuerProfile.organizer_name,
        IssuerProfile.city,
        IssuerProfile.logo_sha256,
        IssuerProfile.address,
        IssuerProfile.committee_name,
        IssuerProfile.committee_nip,
        IssuerProfile.signer_name,
        IssuerProfile.signer_jabatan,
        IssuerProfile.signer_nip,
        IssuerProfile.signer_pangkat,
    ).where(IssuerProfile.unit.is_in(ids))
    by_unit = {row["unit"]: row for row in rows}
    profile = next((by_unit[i] for i in reversed(ids) if i in by_unit), None)
    if profile is None:
        return None
    government_name = ""
    if profile["unit"] != ids[0]:
        root = await Unit.select(Unit.name).where(Unit.id == ids[0]).first()
        government_name = root["name"] if root else ""
    logo_sha = profile["logo_sha256"] or ""
    return Letterhead(
        government_name=government_name,
        office_name=profile["organizer_name"],
        address=profile["address"],
        city=profile["city"],
        logo=await asyncio.to_thread(store.read_asset, logo_sha) if logo_sha else None,
        committee_name=profile["committee_name"],
        committee_nip_display=format_nip(profile["committee_nip"]) or "",
        signer_name=profile["signer_name"],
        signer_jabatan=profile["signer_jabatan"],
        signer_nip_display=format_nip(profile["signer_nip"]) or "",
        signer_pangkat=profile["signer_pangkat"],
    )


class IssuerProfileService:
    """Read and set a unit's issuer profile (organizers of the unit, admins)."""

    def __init__(self, settings: Settings, store: FileStore) -> None:
        self.settings = settings
        self.store = store

    async def _unit(self, caller: Caller, unit_id: UUID | None) -> dict[str, Any]:
        target = unit_id or caller.unit_id
        if target is None:
            raise BadRequest("Sebutkan unit_id: akun ini tidak terikat pada unit.")
        row = await (
            Unit.select(Unit.id, Unit.code, Unit.name, Unit.path, Unit.city)
            .where(Unit.id == target)
            .first()
        )
        if row is None or not caller.sees_unit(row["path"]):
            raise NotFound(UNIT_NOT_FOUND)
        return row

    def _today(self) -> dt.date:
        return dt.datetime.now(ZoneInfo(self.settings.timezone)).date()

    def _read(self, unit: dict[str, Any], row: dict[str, Any] | None) -> IssuerProfileRead:
        defaults = IssuerProfile()
        pattern = row["number_pattern"] if row else defaults.number_pattern
        try:
            example = format_number(
                pattern, seq=1, issued_on=self._today(), unit_code=unit["code"], course_code="KODE"
            )
        except (PatternError, ValueError):
            example = ""
        return IssuerProfileRead(
            unit_id=unit["id"],
            number_pattern=pattern,
            example_number=example,
            organizer_name=row["organizer_name"] if row else unit["name"],
            city=row["city"] if row else unit["city"],
            signer_name=row["signer_name"] if row else "",
            signer_jabatan=row["signer_jabatan"] if row else "",
            signer_nip=row["signer_nip"] if row else "",
            signer_pangkat=row["signer_pangkat"] if row else "",
            template_id=row["template"] if row else None,
            has_logo=bool(row and row["logo_sha256"]),
            has_signature_image=bool(row and row["signature_sha256"]),
            address=row["address"] if row else "",
            committee_name=row["committee_name"] if row else "",
            committee_nip=row["committee_nip"] if row else "",
            updated_at=row["updated_at"] if row else None,
            configured=row is not None,
        )

    async def get(self, caller: Caller, unit_id: UUID | None = None) -> IssuerProfileRead:
        """The profile of the caller's unit (or ``unit_id`` in their scope)."""
        unit = await self._unit(caller, unit_id)
        row = await IssuerProfile.select().where(IssuerProfile.unit == unit["id"]).first()
        return self._read(unit, row)

    async def _check_template(self, template_id: UUID, unit: dict[str, Any]) -> None:
        row = await (
            CertificateTemplate.select(CertificateTemplate.unit)
            .where(CertificateTemplate.id == template_id)
            .first()
        )
        # A unit may use its own templates and those of the units above it.
        if row is None or row["unit"] not in path_ids(unit["path"]):
            raise RuleViolation(
                TEMPLATE_NOT_FOUND,
                errors=[{"field": "template_id", "message": TEMPLATE_NOT_FOUND}],
            )

    async def put(
        self, caller: Caller, data: IssuerProfileWrite, unit_id: UUID | None = None
    ) -> IssuerProfileRead:
        """Create or replace the profile of the caller's unit (or ``unit_id`` in scope).

        Raises:
            RuleViolation: the number pattern is invalid or the template is not usable here.
        """
        unit = await self._unit(caller, unit_id)
        try:
            check_pattern(data.number_pattern)
        except PatternError as exc:
            raise RuleViolation(
                str(exc), errors=[{"field": "number_pattern", "message": str(exc)}]
            ) from None
        if data.template_id is not None:
            await self._check_template(data.template_id, unit)
        values: dict[str, Any] = {
            "number_pattern": data.number_pattern,
            "organizer_name": data.organizer_name.strip(),
            "city": " ".join(data.city.split()),
            "signer_name": data.signer_name.strip(),
            "signer_jabatan": data.signer_jabatan.strip(),
            "signer_nip": data.signer_nip,
            "signer_pangkat": data.signer_pangkat.strip(),
            "template": data.template_id,
            "address": " ".join(data.address.split()),
            "committee_name": data.committee_name.strip(),
            "committee_nip": data.committee_nip,
            "updated_at": dt.datetime.now(dt.UTC),
        }
        for field, column in (("logo", "logo_sha256"), ("signature_image", "signature_sha256")):
            image = getattr(data, field)
            if image is None:
                values[column] = ""
            elif image is not msgspec.UNSET:
                values[column] = await asyncio.to_thread(self.store.put_asset, image)
        async with IssuerProfile._meta.db.transaction():
            existing = await (
                IssuerProfile.select(IssuerProfile.id)
                .where(IssuerProfile.unit == unit["id"])
                .first()
            )
            if existing is None:
                profile_id = uuid4()
                try:
                    await IssuerProfile.insert(
                        IssuerProfile(id=profile_id, unit=unit["id"], **values)
                    )
                except Exception as exc:
                    if is_unique_violation(exc):  # a concurrent first PUT of the same unit
                        raise Conflict("Profil penerbit sedang diubah; coba lagi.") from None
                    raise
            else:
                profile_id = existing["id"]
                await IssuerProfile.update(
                    {getattr(IssuerProfile, k): v for k, v in values.items()}
                ).where(IssuerProfile.id == profile_id)
            changes = {k: v for k, v in values.items() if k != "updated_at"}
            await audit.record(
                caller,
                "issuer_profile.update",
                "issuer_profile",
                profile_id,
                f"Profil penerbit {unit['name']}",
                changes,
            )
        return await self.get(caller, unit["id"])
