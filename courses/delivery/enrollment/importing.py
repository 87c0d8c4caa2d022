"""Enroll a participant list (the .csv / .xlsx an organizer receives) into a session.

The file is the one the people import reads (same columns, same checks, same limits): the
people are first matched, created or updated by ``lms.people.importing`` (so the register and
the session never disagree on who someone is), then every accepted row is enrolled, in file
order, in one transaction holding the session lock (seats and waitlist exactly as in
``courses.delivery.enrollment.service``). The report lists every row with its outcome; people
created
by the import stay in the register even when their row was already enrolled.

Participants come from every unit of the city, not only the organizer's: a row the people
import rejected because its person lives outside the organizer's units (it may not change
them) is still enrolled when its NIP is in the register, with the import's message kept in
the row's ``notes`` (``errors`` belong to rejected rows only). A row whose person is neither
found nor creatable is reported ``rejected``.
"""

from __future__ import annotations

from uuid import UUID

from courses.delivery.enrollment.schemas import EnrollmentImportReport, ImportRow
from courses.delivery.sessions.access import SessionRecord, get_managed_session
from courses.delivery.sessions.seats import AlreadyEnrolled, check_open_for_organizer, enroll_locked
from courses.tables import CourseSession, Enrollment
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.config import Settings
from lms.db.locks import lock_row
from lms.jobs.schemas import JobAccepted
from lms.people import import_job
from lms.people.importing import ImportedRow, import_people_table, read_people_table
from lms.people.rows import column_map
from lms.people.tables import Person
from lms.shared.tabular import Table

OUTCOMES = ("confirmed", "waitlisted", "requested", "already_enrolled", "rejected")


async def _registered_by_nip(rejected: list[ImportedRow]) -> dict[int, UUID]:
    """Row number → person for rejected rows whose NIP is in the register.

    Why: the people import refuses to *change* a person outside the organizer's units (and
    rejects the row), but trainings take participants from every unit, so such a row is still
    enrolled as the person its NIP names; the import's message stays on the row as a note
    (their data was not changed).
    """
    nips = [row.nip for row in rejected if row.nip and len(row.nip) == 18 and row.nip.isdigit()]
    if not nips:
        return {}
    found = {
        r["nip"]: r["id"]
        for r in await Person.select(Person.id, Person.nip).where(Person.nip.is_in(nips))
    }
    return {row.row_number: found[row.nip] for row in rejected if row.nip in found}


def import_row(
    *,
    row_number: int,
    nip: str | None,
    name: str,
    person_id: UUID | None,
    person_created: bool,
    outcome: str,
    messages: list[str],
) -> ImportRow:
    """A report row: ``messages`` are ``errors`` of a rejected row and ``notes`` of an enrolled
    one (a row marked ``confirmed`` never carries an error)."""
    rejected = outcome == "rejected"
    return ImportRow(
        row_number=row_number,
        nip=nip,
        name=name,
        person_id=person_id,
        person_created=person_created,
        outcome=outcome,
        errors=list(messages) if rejected else [],
        notes=[] if rejected else list(messages),
    )


class EnrollmentImportService:
    """``POST /api/v1/sessions/{id}/enrollments/import``.

    Args:
        settings: Upload and row limits (``LMS_MAX_UPLOAD_BYTES``, ``LMS_MAX_IMPORT_ROWS``).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def run(
        self, caller: Caller, session_id: UUID, data: bytes, filename: str
    ) -> EnrollmentImportReport | JobAccepted:
        """Import the people of a file and enroll them; every row is reported.

        A file of more than :data:`lms.people.import_job.SYNC_ROWS` rows is queued as a job
        (:mod:`courses.delivery.enrollment.import_job`), whose result is the report.

        Raises:
            NotFound: the caller does not manage the session.
            RuleViolation: the session no longer takes enrollments.
            PayloadTooLarge: the file is above the size or row limit.
            BadRequest: the file cannot be read or lacks the required columns.
        """
        session = await get_managed_session(caller, session_id)
        check_open_for_organizer(session)
        table = await read_people_table(data, filename, settings=self.settings)
        if len(table.rows) > import_job.SYNC_ROWS:
            from courses.delivery.enrollment.import_job import start_enrollment_import_job

            return await start_enrollment_import_job(
                caller, session.id, data, filename, rows=len(table.rows), settings=self.settings
            )
        return await enroll_table(caller, session, table, filename)


async def enroll_table(
    caller: Caller, session: SessionRecord, table: Table, filename: str
) -> EnrollmentImportReport:
    """Import the people of a read table and enroll them (the body of :meth:`run`)."""
    imported = await import_people_table(table, actor=caller, source=filename)
    name_key = column_map(table.headers).get("name")
    names = (
        {row.row_number: " ".join(row.get(name_key).split()) for row in table.rows}
        if (name_key)
        else {}
    )
    errors = {r.row: list(r.errors) for r in imported.report.rejected}
    ordered = sorted(imported.rows, key=lambda r: r.row_number)
    person_ids = {r.row_number: r.person_id for r in ordered if r.person_id is not None}
    person_ids.update(await _registered_by_nip([r for r in ordered if r.person_id is None]))
    outcomes: dict[int, str] = {}
    async with Enrollment._meta.db.transaction():
        await lock_row(CourseSession, session.id)
        for row in ordered:
            person_id = person_ids.get(row.row_number)
            if person_id is None:
                continue
            try:
                _, status = await enroll_locked(
                    session, person_id, request_only=False, actor=caller
                )
            except AlreadyEnrolled:
                status = "already_enrolled"
            outcomes[row.row_number] = status
        rows = [
            import_row(
                row_number=row.row_number,
                nip=row.nip,
                name=names.get(row.row_number, ""),
                person_id=person_ids.get(row.row_number),
                person_created=row.status == "created",
                outcome=outcomes.get(row.row_number, "rejected"),
                messages=errors.get(row.row_number, []),
            )
            for row in ordered
        ]
        counts = {outcome: sum(1 for r in rows if r.outcome == outcome) for outcome in OUTCOMES}
        await audit.record(
            caller,
            "enrollment.import",
            "session",
            session.id,
            f"{session.name}: impor {filename} ({counts['confirmed']} terkonfirmasi, "
            f"{counts['waitlisted']} daftar tunggu, {counts['already_enrolled']} sudah "
            f"terdaftar, {counts['rejected']} ditolak)",
            {"filename": filename, **counts},
        )
    return EnrollmentImportReport(
        filename=filename,
        total_rows=len(rows),
        people_created=sum(1 for r in rows if r.person_created),
        confirmed=counts["confirmed"],
        waitlisted=counts["waitlisted"],
        requested=counts["requested"],
        already_enrolled=counts["already_enrolled"],
        rejected=counts["rejected"],
        rows=rows,
    )
