"""The office letterhead (kop) that printed paperwork carries: names, address, logo, panitia.

The letterhead is kept in the issuer profile (``certificates``), but the daftar hadir is
printed by ``courses``, which may not import ``certificates`` (DEVELOPING.md: dependencies
point down). So the shape lives here and the composition root (``lms.app``) hands the
certificates app's lookup to the features that print (a :data:`LetterheadSource`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec


class Letterhead(msgspec.Struct, frozen=True, kw_only=True):
    """What a kop and a panitia signature block print.

    Attributes:
        government_name: The government above the office ("Pemerintah Kota Padang Panjang");
            empty for a root unit.
        office_name: The office as its issuer profile names it.
        address: The office's street address line (may be empty).
        city: The city printed in "Padang Panjang, 18 November 2026".
        logo: The office's logo as a ``data:`` URI, or ``None``.
        committee_name: The panitia's name (ketua panitia) who signs sheets; may be empty.
        committee_nip_display: The panitia's NIP as printed, or empty.
        signer_name, signer_jabatan, signer_nip_display, signer_pangkat: The head of the
            office who signs documents the office issues (the transcript).
    """

    government_name: str
    office_name: str
    address: str = ""
    city: str = ""
    logo: str | None = None
    committee_name: str = ""
    committee_nip_display: str = ""
    signer_name: str = ""
    signer_jabatan: str = ""
    signer_nip_display: str = ""
    signer_pangkat: str = ""


def kop_text(head: Letterhead) -> list[str]:
    """The kop as a spreadsheet's title block prints it: the government and the office in
    capitals, then the office's address (empty lines left out)."""
    lines = [head.government_name.upper(), head.office_name.upper(), head.address]
    return [line for line in lines if line.strip()]


LetterheadSource = Callable[[str], Awaitable[Letterhead | None]]
"""Looks up the letterhead of the unit at a materialised path (nearest issuer profile up the
path); ``None`` when no unit on the path has one."""
