"""The frozen record of everything a certificate prints.

A certificate is rendered from a snapshot taken at issue, never from live rows: a later name fix,
promotion or course edit must not change a certificate that was already handed out (a re-issue
makes a new certificate with a new snapshot). The snapshot is stored as JSON next to the PDF's
hash, so the same PDF can be rendered again and checked byte for byte against the stored text.

All text is final, already formatted for print ("19860926 201505 1 001", "Penata Muda Tingkat I,
III/b", "Padang Panjang, 22 November 2026"): templates only place it, so two templates never
disagree about how a NIP or a date is written.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

import msgspec

#: A base64 data URI of a PNG, JPEG or SVG image: the only image form a snapshot may carry, so a
#: render never reads a file or the network.
ImageDataUri = Annotated[
    str, msgspec.Meta(pattern=r"^data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/=\s]+$")
]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]
JP = int | Decimal


class HolderSnapshot(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The person the certificate is given to, as printed."""

    name_with_titles: NonEmpty
    nip_display: str | None = None
    pangkat_golongan: str | None = None
    jabatan: str | None = None
    unit_name: str | None = None


class ModuleLine(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One row of the modules table on the second page."""

    title: NonEmpty
    jp: JP


class CertificateSnapshot(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Every printed field of one certificate, frozen at issue.

    Attributes:
        number: the certificate number from the organizer's pattern.
        verification_code: the random public code (not the number) the QR code points at.
        verify_url: the full URL encoded in the QR code.
        holder: who the certificate is for.
        course_title: e.g. "Pelatihan Pelayanan Prima"; when it does not start with a kind of
            training ("Pelatihan", "Bimbingan Teknis", ...) the template prefixes "Pelatihan".
        session_name: e.g. "Angkatan I".
        organizer_name: the issuing unit, e.g. "Dinas Penanaman Modal dan Pelayanan Terpadu Satu
            Pintu Kota Padang Panjang".
        government_name: the first line of the letterhead, e.g. "Pemerintah Kota Padang Panjang".
        start_date, end_date: the session's first and last day.
        place: the city where the training was held.
        venue: the building, if it should be printed.
        jp: jam pelajaran credited (an int, or a Decimal such as 7.5).
        predikat: e.g. "Memuaskan"; None for a certificate of attendance.
        final_score: the final score, when the template prints it.
        modules: rows of the modules table; empty means no second page.
        issued_place_date: "Padang Panjang, 22 November 2026".
        signer_name, signer_jabatan, signer_pangkat, signer_nip_display: the signing official.
        signature_image: a scanned signature as a data URI; None when signed electronically only.
        logo: the letterhead logo as a data URI.
        valid_until: last day of validity for certificates that expire.
        footer_note: small print at the bottom, e.g. the BSrE electronic-signature notice.
    """

    number: NonEmpty
    verification_code: NonEmpty
    verify_url: NonEmpty
    holder: HolderSnapshot
    course_title: NonEmpty
    session_name: str | None = None
    organizer_name: NonEmpty
    government_name: str | None = None
    start_date: dt.date
    end_date: dt.date
    place: NonEmpty
    venue: str | None = None
    jp: JP
    predikat: str | None = None
    final_score: Decimal | None = None
    modules: tuple[ModuleLine, ...] = ()
    issued_place_date: NonEmpty
    signer_name: NonEmpty
    signer_jabatan: NonEmpty
    signer_pangkat: str | None = None
    signer_nip_display: str | None = None
    signature_image: ImageDataUri | None = None
    logo: ImageDataUri | None = None
    valid_until: dt.date | None = None
    footer_note: str | None = None

    def __post_init__(self) -> None:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")


def encode_snapshot(snapshot: CertificateSnapshot) -> bytes:
    """Return the snapshot as canonical JSON (the form stored with the certificate)."""
    return msgspec.json.encode(snapshot)


def decode_snapshot(data: bytes | str) -> CertificateSnapshot:
    """Parse stored JSON back into a snapshot, checking every constraint."""
    return msgspec.json.decode(data, type=CertificateSnapshot)


def sample_snapshot(
    verify_base_url: str = "https://prima.example.go.id", **changes: object
) -> CertificateSnapshot:
    """Return a realistic certificate for previews, tests and benchmarks.

    Args:
        verify_base_url: the public base URL the QR code points under.
        **changes: fields to replace (e.g. ``holder=HolderSnapshot(...)``).
    """
    code = "K7QM-2XW9-RT4H-BP3N"
    snapshot = CertificateSnapshot(
        number="001/PP/DPMPTSP/XI/2026",
        verification_code=code,
        verify_url=f"{verify_base_url.rstrip('/')}/verify/{code}",
        holder=HolderSnapshot(
            name_with_titles="Muh. Ma'ruf, S.Sos., M.Si.",
            nip_display="19860926 201505 1 001",
            pangkat_golongan="Penata Muda Tingkat I, III/b",
            jabatan="Kepala Seksi Pelayanan",
            unit_name="Kecamatan Padang Panjang Timur",
        ),
        course_title="Pelatihan Pelayanan Prima",
        session_name="Angkatan I",
        organizer_name=(
            "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Padang Panjang"
        ),
        government_name="Pemerintah Kota Padang Panjang",
        start_date=dt.date(2026, 11, 20),
        end_date=dt.date(2026, 11, 22),
        place="Padang Panjang",
        venue="Aula Balai Kota Padang Panjang",
        jp=24,
        predikat="Memuaskan",
        final_score=Decimal("86.50"),
        modules=(
            ModuleLine(title="Kebijakan Pelayanan Publik (UU 25/2009)", jp=3),
            ModuleLine(title="Standar Pelayanan dan Maklumat Pelayanan", jp=4),
            ModuleLine(title="Budaya Pelayanan Prima dan Nilai BerAKHLAK", jp=4),
            ModuleLine(title="Komunikasi Efektif dengan Pengguna Layanan", jp=4),
            ModuleLine(title="Penanganan Pengaduan dan Survei Kepuasan Masyarakat", jp=4),
            ModuleLine(title="Praktik Pelayanan di Front Office", jp=5),
        ),
        issued_place_date="Padang Panjang, 22 November 2026",
        signer_name="Dra. Hj. Yuniarti, M.M.",
        signer_jabatan=(
            "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Padang Panjang"
        ),
        signer_pangkat="Pembina Utama Muda",
        signer_nip_display="19700312 199603 2 002",
    )
    return msgspec.structs.replace(snapshot, **changes) if changes else snapshot
