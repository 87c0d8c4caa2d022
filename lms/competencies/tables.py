"""Competency framework, the JP ledger and service-quality surveys."""

from decimal import Decimal

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from lms.people.tables import Person, Unit


class Competency(Table, tablename="competency"):
    """A competency of the framework and the SKM elements (U1–U9) it should move."""

    id = UUID(primary_key=True)
    code = Varchar(length=32, unique=True, index=True)
    name = Varchar(length=255)
    description = Text(default="")
    levels = JSON(default="[]")
    skm_elements = JSON(default="[]")
    created_at = Timestamptz()


class LearningRecord(Table, tablename="learning_record"):
    """One learning event in a person's JP ledger.

    ``source`` is ``session`` (credited at finalize; ``source_ref`` holds the session id as a
    plain id, since lms must not depend on courses) or ``external`` (recorded by HR). The title,
    organizer and JP are a snapshot of what was credited. JP counts in ``year`` (the year the
    learning ended). Status: pending | approved | rejected | revoked; only approved counts.
    ``natural_key`` identifies a session credit per (session, person) (``session:<s>:<p>``;
    external records use ``external:<id>``). SQLite cannot add a UNIQUE column to an existing
    table, so ``lms.competencies.ledger`` keeps it unique: it checks inside the write
    transaction, after locking the person's row on PostgreSQL (SQLite serialises writers).
    """

    id = UUID(primary_key=True)
    person = ForeignKey(Person, index=True)
    source = Varchar(length=16, default="external")
    source_ref = Varchar(length=64, default="", index=True)
    title = Varchar(length=500)
    organizer = Varchar(length=255, default="")
    jenis_diklat = Integer(default=3)
    klasikal = Boolean(default=True)
    start_date = Date()
    end_date = Date()
    jp = Numeric(digits=(7, 2))
    year = Integer(index=True)
    certificate_number = Varchar(length=128, default="")
    proof_sha256 = Varchar(length=64, default="")
    competency_codes = JSON(default="[]")
    status = Varchar(length=16, default="approved", index=True)
    note = Varchar(length=1000, default="")
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    decided_by = UUID(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    natural_key = Varchar(length=160, null=True, default=None, index=True)
    proof_filename = Varchar(length=255, default="")
    status_reason = Varchar(length=1000, default="")


class JpYearTotal(Table, tablename="jp_year_total"):
    """A person's approved JP in one year, kept in step with the ledger in the same transaction.

    Why: the compliance report must answer for 100,000 people with 10 entries each in under a
    second on SQLite; summing the wide ledger rows per request takes about twice that, while
    one narrow row per person-year is read in a fraction of it. ``lms.competencies.totals``
    is the only writer (and can rebuild the table from the ledger).
    """

    natural_key = Varchar(length=64, primary_key=True)
    person = ForeignKey(Person, index=True)
    year = Integer(index=True)
    jp = Numeric(digits=(9, 2))


class SkmSurvey(Table, tablename="skm_survey"):
    """A unit's Survei Kepuasan Masyarakat for one period, with its computed IKM.

    ``natural_key`` is ``<unit id>:<period>``, one survey per unit and period (kept unique by
    ``lms.competencies.surveys`` inside its transaction, as for the ledger).
    """

    id = UUID(primary_key=True)
    unit = ForeignKey(Unit, index=True)
    period = Varchar(length=32)
    period_start = Date(null=True, default=None)
    period_end = Date(null=True, default=None)
    respondents = Integer(default=0)
    element_means = JSON(default="{}")
    ikm = Numeric(digits=(5, 2))
    category = Varchar(length=1)
    created_at = Timestamptz()
    natural_key = Varchar(length=128, null=True, default=None, index=True)
    skm = Numeric(digits=(6, 4), default=Decimal("0"))
    created_by = UUID(null=True, default=None)


class SkmAnswer(Table, tablename="skm_answer"):
    """One respondent's answers (U1–U9, 1–4; null when not answered)."""

    id = UUID(primary_key=True)
    survey = ForeignKey(SkmSurvey, index=True)
    respondent = Varchar(length=64, default="")
    service = Varchar(length=255, default="")
    answered_on = Date(null=True, default=None)
    answers = JSON(default="[]")


class TranscriptCopy(Table, tablename="transcript_copy"):
    """A printed transcript, as its QR code's public page shows it.

    ``summary`` is frozen when the PDF is made: the name, the masked NIP, the office and, per
    year, the JP total and the learning events (title, organizer, end date, JP), nothing more.
    ``code`` is a random 80-bit verification code (``lms.shared.codes``), never derived from
    the person. The same content printed again reuses its copy: ``natural_key`` is
    ``<person id>:<sha256 of the summary>`` (kept unique by ``lms.competencies.transcript_copies``).
    """

    id = UUID(primary_key=True)
    code = Varchar(length=32, unique=True, index=True)
    person = ForeignKey(Person, index=True)
    summary = JSON(default="{}")
    digest = Varchar(length=64)
    natural_key = Varchar(length=128, index=True)
    printed_at = Timestamptz()
