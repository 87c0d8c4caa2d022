"""Request and response bodies of enrollment: enrolling, withdrawing, a participant's own
enrollments and the report of an enrollment import.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from lms.shared.schemas import Input, Output

EnrollmentStatus = Literal["requested", "confirmed", "waitlisted", "withdrawn", "completed"]


class EnrollmentCreate(Input):
    """Organizers list the people to enroll; a participant sends ``{}`` to enroll themself."""

    person_ids: Annotated[list[UUID], msgspec.Meta(max_length=1000)] = []


class WithdrawalCreate(Input):
    """The optional body of a withdrawal: why (kept in the audit log)."""

    reason: Annotated[str, msgspec.Meta(min_length=3, max_length=2_000)] | None = None


class EnrollmentRead(Output):
    """A person's place in a session. ``waitlist_position`` is 1 for the next to move up."""

    id: UUID
    session_id: UUID
    person_id: UUID
    full_name: str
    nip: str | None
    jabatan: str
    unit_name: str
    status: str
    seq: int
    waitlist_position: int | None
    enrolled_at: dt.datetime
    updated_at: dt.datetime


class EnrollmentBatch(Output):
    """The enrollments a request created, with counts per status."""

    items: list[EnrollmentRead]
    total: int
    confirmed: int
    waitlisted: int
    requested: int


class Withdrawal(Output):
    """A withdrawn enrollment and who moved up from the waitlist into the freed seat."""

    enrollment: EnrollmentRead
    promoted: EnrollmentRead | None


class MyEnrollment(EnrollmentRead):
    """A participant's own enrollment with the session it is for."""

    session_name: str
    session_status: str
    course_title: str
    start_date: dt.date
    end_date: dt.date


class ImportRow(Output):
    """One row of an enrollment import: the person found or created and the outcome.

    ``outcome``: ``confirmed``, ``waitlisted``, ``requested``, ``already_enrolled`` or
    ``rejected``. ``errors`` says why a row was rejected (in Indonesian) and is empty on every
    other outcome; ``notes`` carries what an enrolled row should still know (the people
    import's message when the person's data was kept unchanged).
    """

    row_number: int
    nip: str | None
    name: str
    person_id: UUID | None
    person_created: bool
    outcome: str
    errors: list[str]
    notes: list[str] = msgspec.field(default_factory=list)


class EnrollmentImportReport(Output):
    """What an enrollment import did, row by row."""

    filename: str
    total_rows: int
    people_created: int
    confirmed: int
    waitlisted: int
    requested: int
    already_enrolled: int
    rejected: int
    rows: list[ImportRow]
