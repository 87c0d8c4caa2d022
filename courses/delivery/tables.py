"""Sessions (angkatan), trainers, agenda, enrollment and attendance."""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from courses.catalogue.tables import Course, Module
from lms.auth.tables import User
from lms.people.tables import Person, Unit


class Trainer(Table, tablename="trainer"):
    """A trainer (narasumber, widyaiswara, fasilitator): a registered person or an outsider."""

    id = UUID(primary_key=True)
    person = ForeignKey(Person, null=True, index=True)
    user = ForeignKey(User, null=True, index=True)
    name = Varchar(length=255)
    front_title = Varchar(length=64, default="")
    back_title = Varchar(length=128, default="")
    institution = Varchar(length=255, default="")
    expertise = Varchar(length=500, default="")
    unit = ForeignKey(Unit, null=True, index=True)
    created_at = Timestamptz()


class CourseSession(Table, tablename="course_session"):
    """One run of a course ("Angkatan I") with its dates, place and capacity.

    Status: draft → open → running → completed, or cancelled. ``course_version`` records which
    version of the course rules the session runs under.
    """

    id = UUID(primary_key=True)
    course = ForeignKey(Course, index=True)
    course_version = Integer(default=1)
    unit = ForeignKey(Unit, index=True)
    name = Varchar(length=255)
    start_date = Date()
    end_date = Date()
    timezone = Varchar(length=64, default="Asia/Jakarta")
    venue = Varchar(length=255, default="")
    city = Varchar(length=128, default="")
    online_url = Varchar(length=500, default="")
    capacity = Integer(default=30)
    enroll_opens_at = Timestamptz(null=True, default=None)
    enroll_closes_at = Timestamptz(null=True, default=None)
    approval_required = Boolean(default=False)
    self_enroll = Boolean(default=True)
    status = Varchar(length=16, default="draft", index=True)
    confirmed_count = Integer(default=0)
    enrollment_seq = Integer(default=0)
    finalized_at = Timestamptz(null=True, default=None)
    rules = JSON(default="{}")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AgendaItem(Table, tablename="agenda_item"):
    """A block of the session's agenda: when, which module, which trainer, which room."""

    id = UUID(primary_key=True)
    session = ForeignKey(CourseSession, index=True)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    module = ForeignKey(Module, null=True)
    trainer = ForeignKey(Trainer, null=True, index=True)
    room = Varchar(length=128, default="")
    title = Varchar(length=255, default="")


class Enrollment(Table, tablename="enrollment"):
    """A person's place in a session.

    Status: requested → confirmed | waitlisted → withdrawn | completed. ``seq`` is the arrival
    order (from the session's counter) so the waitlist moves up in the order people came.
    """

    id = UUID(primary_key=True)
    session = ForeignKey(CourseSession, index=True)
    person = ForeignKey(Person, index=True)
    status = Varchar(length=16, index=True)
    seq = Integer(default=0)
    enrolled_at = Timestamptz()
    updated_at = Timestamptz()
    # Unique (session, person), as one column: SQLite cannot add a composite
    # constraint in a migration. Filled by the service as "{session}:{person}".
    natural_key = Varchar(length=200, unique=True)


class AttendanceMark(Table, tablename="attendance_mark"):
    """Attendance of one person on one day of a session: present, late, excused or absent."""

    id = UUID(primary_key=True)
    session = ForeignKey(CourseSession, index=True)
    person = ForeignKey(Person, index=True)
    day = Date()
    status = Varchar(length=16)
    method = Varchar(length=16, default="manual")
    marked_by = UUID(null=True, default=None)
    marked_at = Timestamptz()
    # Unique (session, person, day), as one column: SQLite cannot add a composite
    # constraint in a migration. Filled by the service as "{session}:{person}:{day}".
    natural_key = Varchar(length=200, unique=True)
