"""Certificate templates, number sequences, issuer profiles and the certificates."""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from lms.people.tables import Unit
from lms.people.units import register_path_copy


class CertificateTemplate(Table, tablename="certificate_template"):
    """A Jinja2 HTML + CSS certificate template owned by a unit (null unit: the built-in)."""

    id = UUID(primary_key=True)
    unit = ForeignKey(Unit, null=True, index=True)
    name = Varchar(length=255)
    html = Text()
    css = Text(default="")
    version = Integer(default=1)
    is_default = Boolean(default=False)
    created_at = Timestamptz()
    # Where a BSrE signature is drawn on certificates of this template
    # (``certificates.rendering.bsre.SignaturePlacement``); ``{}`` = invisible.
    signature_placement = JSON(default="{}")


class IssuerProfile(Table, tablename="issuer_profile"):
    """How a unit issues: its numbering pattern, signer and the place printed on certificates."""

    id = UUID(primary_key=True)
    unit = ForeignKey(Unit, unique=True)
    number_pattern = Varchar(length=255, default="{seq:03d}/PP/{unit_code}/{month_roman}/{year}")
    organizer_name = Varchar(length=255, default="")
    city = Varchar(length=128, default="")
    signer_name = Varchar(length=255, default="")
    signer_jabatan = Varchar(length=255, default="")
    signer_nip = Varchar(length=18, default="")
    signer_pangkat = Varchar(length=128, default="")
    signature_sha256 = Varchar(length=64, default="")
    logo_sha256 = Varchar(length=64, default="")
    template = ForeignKey(CertificateTemplate, null=True)
    updated_at = Timestamptz()
    address = Varchar(length=255, default="")
    committee_name = Varchar(length=255, default="")
    committee_nip = Varchar(length=18, default="")


class NumberSequence(Table, tablename="number_sequence"):
    """A gap-free counter per (pattern, year): incremented inside the issuing transaction."""

    id = UUID(primary_key=True)
    pattern = Varchar(length=255)
    year = Integer()
    last = Integer(default=0)
    # Unique (pattern, year), as one column: SQLite cannot add a composite
    # constraint in a migration. Filled by the service as "{pattern}:{year}".
    natural_key = Varchar(length=200, unique=True)


class Certificate(Table, tablename="certificate"):
    """An issued certificate: immutable once issued, except its status fields.

    ``session_id`` / ``person_id`` / ``course_id`` are plain ids (not foreign keys) and
    ``snapshot`` holds every printed field, so a certificate survives the deletion or change of
    its course, session or person.
    """

    id = UUID(primary_key=True)
    number = Varchar(length=128, unique=True, index=True)
    code = Varchar(length=64, unique=True, index=True)
    session_id = UUID(index=True)
    person_id = UUID(index=True)
    course_id = UUID(index=True)
    unit_id = UUID(index=True)
    unit_path = Varchar(length=1024, default="", index=True)
    # The holder's name with titles as printed, and the number's sequence: copied out of the
    # snapshot so lists can search, sort and name files without parsing JSON.
    holder_name = Varchar(length=255, default="", index=True)
    seq = Integer(default=0)
    snapshot = JSON(default="{}")
    # SHA-256 of the images printed (``logo``, ``signature_image``): kept in the file store, not
    # repeated in every row's snapshot.
    assets = JSON(default="{}")
    pdf_sha256 = Varchar(length=64, index=True)
    template_version = Integer(default=1)
    signed = Boolean(default=False)
    issued_at = Timestamptz()
    issued_by = UUID(null=True, default=None)
    year = Integer(index=True)
    valid_until = Date(null=True, default=None)
    status = Varchar(length=16, default="valid", index=True)
    revoked_at = Timestamptz(null=True, default=None)
    revocation = JSON(default="{}")
    supersedes = UUID(null=True, default=None)
    superseded_by = UUID(null=True, default=None)


# ``unit_path`` is the issuing unit's path at the time of issue, kept for scope filters without a
# join; a unit move rewrites it with the tree (lms cannot import this app to do it itself).
register_path_copy(Certificate, "unit_path")


class BadgeCredential(Table, tablename="badge_credential"):
    """A certificate as an Open Badges 3.0 credential, signed once and kept as issued.

    ``status_index`` is the certificate's bit in the office's revocation status list, drawn at
    random (unique) so that neighbouring bits say nothing about who was issued together.
    ``credential`` holds the credential with its embedded proof; ``jwt`` the same credential
    as a VC-JWT. Whether the bit is set is read from the certificate's own ``status`` when the
    list is published, so a revocation shows in the list from the transaction that revokes.
    """

    id = UUID(primary_key=True)
    certificate_id = UUID(unique=True, index=True)
    status_index = Integer(unique=True)
    credential = JSON(default="{}")
    jwt = Text(default="")
    issued_at = Timestamptz()


class CertificateReservation(Table, tablename="certificate_reservation"):
    """A certificate number (and verification code) set aside for one participant of a session
    by a distributed issuing job, before any worker renders it.

    The job claims every number in one transaction, in the session's order, so chunks rendered
    by several workers at once still print gap-free numbers in that order. ``certificate_id`` is
    set in the transaction that inserts the certificate, so a chunk run twice (its worker died)
    issues each reservation once. ``error`` keeps why a reservation could not be issued; the
    number stays with the participant for the next run.
    """

    id = UUID(primary_key=True)
    # "{session_id}:{person_id}", unique: one reservation per participant of a session (SQLite
    # cannot add a composite constraint in a migration).
    natural_key = Varchar(length=80, unique=True)
    session_id = UUID(index=True)
    person_id = UUID()
    job_id = UUID(index=True)
    chunk = Integer(default=0)
    seq = Integer()
    number = Varchar(length=128, unique=True)
    code = Varchar(length=64)
    issued_at = Timestamptz()
    certificate_id = UUID(null=True, default=None)
    error = Text(default="")


class SiasnPush(Table, tablename="siasn_push"):
    """A certificate on its way to SIASN's riwayat kursus (BKN): one row per certificate.

    ``status``: ``queued`` (waiting for the job), ``sending`` (claimed by a job since
    ``claimed_at``), ``sent`` (SIASN holds the record and its document) or ``failed``
    (``last_error`` says why, in Indonesian, without secrets). A certificate without a row has
    not been sent. ``siasn_id`` is the riwayat id SIASN answered to ``kursus/save``; it is
    stored as soon as SIASN gives it, so a retry after a failed document upload uploads again
    instead of saving the course twice. ``payload`` is the body as sent.
    """

    id = UUID(primary_key=True)
    certificate_id = UUID(unique=True, index=True)
    session_id = UUID(index=True)
    person_id = UUID(index=True)
    unit_path = Varchar(length=1024, default="", index=True)
    nip = Varchar(length=18, default="")
    status = Varchar(length=16, default="queued", index=True)
    pns_orang_id = Varchar(length=64, default="")
    siasn_id = Varchar(length=64, default="")
    document_sent = Boolean(default=False)
    payload = JSON(default="{}")
    attempts = Integer(default=0)
    last_error = Text(default="")
    claimed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)


register_path_copy(SiasnPush, "unit_path")


class CertificateSigningCall(Table, tablename="certificate_signing_call"):
    """One call to the BSrE Esign Client for one certificate: the signing log.

    Written as each call ends, so a refused or failed call is logged even though no
    certificate row exists for it. ``code`` is the certificate's verification code (a
    certificate's row has the same ``code`` once issued; a re-rendered run keeps it).
    Nothing secret is kept: no NIK, passphrase, TOTP, basic-auth password or PDF.
    """

    id = UUID(primary_key=True)
    code = Varchar(length=64, index=True)
    session_id = UUID(index=True)
    person_id = UUID()
    number = Varchar(length=128, default="")
    job_id = UUID(null=True, default=None)
    at = Timestamptz()
    endpoint = Varchar(length=64)
    attempt = Integer(default=1)
    outcome = Varchar(length=16)
    http_status = Integer(null=True, default=None)
    duration_ms = Integer(default=0)
    error_code = Varchar(length=32, default="")
    bsre_code = Integer(null=True, default=None)
