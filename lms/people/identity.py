"""The fields whose rules depend on the ASN type — NIP, golongan, phone — and the answer to a
NIP that is already taken.

A PNS NIP carries a TMT month (01–12) where a NI PPPK carries its appointment year
(:mod:`lms.people.nip`), so every check takes the ASN type; failures answer 422 naming the
field. A duplicate NIP answers 409 and names the holder only to a caller who may see them.
"""

from __future__ import annotations

from collections.abc import Collection

from lms.auth.caller import Caller
from lms.people.golongan import InvalidGolongan, normalize_golongan
from lms.people.nip import InvalidNip, format_nip, normalize_nip, validate_nip
from lms.people.reading import PERSON_COLUMNS, sees_person
from lms.people.rows import normalize_phone
from lms.people.tables import Person
from lms.shared.errors import Conflict, RuleViolation
from lms.shared.indonesian import full_name


def check_identity(
    asn_type: str,
    nip: str | None,
    golongan: str,
    phone: str,
    *,
    check: Collection[str] = ("nip", "golongan", "phone"),
) -> tuple[str | None, str, str]:
    """Clean and check the fields whose rules depend on the ASN type.

    Args:
        asn_type: ``pns``, ``pppk`` or ``non_asn``.
        nip: As typed (spaces allowed), or None.
        golongan: As typed (``III/d``, ``3d``, ``IX``) or ``""``.
        phone: As typed or ``""``.
        check: The fields to check; the others are returned as given (an edit of the jabatan
            must not fail on a NIP stored before today's rules).

    Returns:
        ``(nip, golongan, phone)`` as stored: bare digits or None, canonical golongan,
        national phone form.

    Raises:
        RuleViolation: 422 listing every failing field (``nip``, ``golongan``, ``phone``).
    """
    errors: list[dict[str, str]] = []
    clean_nip, clean_golongan, clean_phone = nip, golongan, phone
    if "nip" in check:
        try:
            clean_nip = normalize_nip(nip) or None
        except InvalidNip as exc:
            errors.append({"field": "nip", "message": str(exc)})
        else:
            errors += [{"field": "nip", "message": m} for m in validate_nip(clean_nip, asn_type)]
    if "golongan" in check:
        try:
            clean_golongan = normalize_golongan(golongan, asn_type)
        except InvalidGolongan as exc:
            errors.append({"field": "golongan", "message": str(exc)})
    if "phone" in check:
        clean_phone = ""
        if phone.strip():
            try:
                clean_phone = normalize_phone(phone)
            except ValueError as exc:
                errors.append({"field": "phone", "message": str(exc)})
    if errors:
        raise RuleViolation(
            "Data pegawai tidak memenuhi aturan: " + "; ".join(e["message"] for e in errors),
            errors=errors,
        )
    return clean_nip, clean_golongan, clean_phone


async def nip_conflict(caller: Caller | None, nip: str) -> Conflict:
    """The 409 for a NIP already taken: it names the holder only if the caller sees them."""
    row = await Person.select(*PERSON_COLUMNS).where(Person.nip == nip).first()
    if row is not None and sees_person(caller, row["id"], row["unit_path"]):
        holder = full_name(row["name"], row["front_title"], row["back_title"])
        return Conflict(
            f"NIP {format_nip(nip, row['asn_type'])} sudah terdaftar atas nama {holder}"
            + ("" if holder.endswith(".") else "."),
            errors=[{"field": "nip", "message": "sudah terdaftar"}],
            extra={"existing_id": str(row["id"])},
        )
    return Conflict("NIP sudah terdaftar.", errors=[{"field": "nip", "message": "sudah terdaftar"}])
