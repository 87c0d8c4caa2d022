"""Every table of the ``courses`` app, in one module as Piccolo's app convention has it: the
catalogue (courses, modules), delivery (trainers, sessions, agenda, enrollment, attendance),
assessments (banks, questions, quizzes, attempts, evaluations) and results.

Every folder of ``courses`` imports its tables from here, so no folder imports another one for
a table (see the import rules in docs/DEVELOPING.md).
"""

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

from lms.auth.tables import User
from lms.people.tables import Person, Unit


class Course(Table, tablename="course"):
    """A course of the catalogue with its pass rules.

    ``version`` grows on every edit of the rules (pass mark, weights, bands, modules) once a
    session of the course has finalized results; finalized results keep a snapshot of the rules
    they were computed with, so a later edit never changes a past result.
    """

    id = UUID(primary_key=True)
    code = Varchar(length=64, unique=True, index=True)
    title = Varchar(length=255)
    description = Text(default="")
    training_type = Varchar(length=16, default="klasikal")
    jenis_diklat = Integer(default=3)
    unit = ForeignKey(Unit, index=True)
    pass_mark = Numeric(digits=(5, 2))
    min_attendance = Numeric(digits=(5, 2))
    weights = JSON(default="{}")
    predikat_bands = JSON(default="[]")
    validity_months = Integer(null=True, default=None)
    competency_codes = JSON(default="[]")
    version = Integer(default=1)
    active = Boolean(default=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Module(Table, tablename="course_module"):
    """A module (mata pelatihan) of a course, worth a number of JP."""

    id = UUID(primary_key=True)
    course = ForeignKey(Course, index=True)
    position = Integer(default=0)
    title = Varchar(length=255)
    jp = Numeric(digits=(6, 2))
    competency_codes = JSON(default="[]")
    # Unique (course, position), as one column: SQLite cannot add a composite
    # constraint in a migration. Filled by the service as "{course}:{position}".
    natural_key = Varchar(length=200, unique=True)


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
    # The organizer's written reason for finalizing this participant without a post-test
    # (courses.results.excusals); empty when not excused.
    post_test_excuse = Text(default="")


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


class QuestionBank(Table, tablename="question_bank"):
    """A named collection of questions owned by a unit."""

    id = UUID(primary_key=True)
    name = Varchar(length=255)
    description = Text(default="")
    unit = ForeignKey(Unit, index=True)
    created_at = Timestamptz()


class Question(Table, tablename="bank_question"):
    """One question. ``payload`` is the msgspec-encoded tagged union of its type (answers,
    weights, feedback); it never leaves the server in a participant's payload."""

    id = UUID(primary_key=True)
    bank = ForeignKey(QuestionBank, index=True)
    category = Varchar(length=500, default="", index=True)
    type = Varchar(length=32)
    title = Varchar(length=255, default="")
    text = Text()
    payload = JSON(default="{}")
    points = Numeric(digits=(7, 2))
    competency_code = Varchar(length=32, default="")
    version = Integer(default=1)
    active = Boolean(default=True)
    created_at = Timestamptz()


class Quiz(Table, tablename="quiz"):
    """A pre-test, post-test or quiz of a session with its rules."""

    id = UUID(primary_key=True)
    session = ForeignKey(CourseSession, index=True)
    kind = Varchar(length=16)
    title = Varchar(length=255)
    selection = JSON(default="{}")
    shuffle_questions = Boolean(default=True)
    shuffle_options = Boolean(default=True)
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    time_limit_minutes = Integer(null=True, default=None)
    attempts_allowed = Integer(default=1)
    grading_method = Varchar(length=16, default="highest")
    pass_mark = Numeric(digits=(5, 2))
    review = JSON(default="{}")
    created_at = Timestamptz()


class Attempt(Table, tablename="attempt"):
    """A participant's attempt: the questions drawn (``question_order``) and its deadline."""

    id = UUID(primary_key=True)
    quiz = ForeignKey(Quiz, index=True)
    person = ForeignKey(Person, index=True)
    number = Integer(default=1)
    status = Varchar(length=16, default="in_progress", index=True)
    started_at = Timestamptz()
    deadline = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    question_order = JSON(default="[]")
    score = Numeric(digits=(7, 2), null=True, default=None)
    max_score = Numeric(digits=(7, 2), null=True, default=None)
    percent = Numeric(digits=(5, 2), null=True, default=None)
    needs_grading = Boolean(default=False)
    # Unique (quiz, person, number), as one column: SQLite cannot add a composite
    # constraint in a migration. Filled by the service as "{quiz}:{person}:{number}".
    natural_key = Varchar(length=200, unique=True)


class AttemptAnswer(Table, tablename="attempt_answer"):
    """The saved response to one question of an attempt (autosave overwrites it)."""

    id = UUID(primary_key=True)
    attempt = ForeignKey(Attempt, index=True)
    question = ForeignKey(Question)
    response = JSON(default="{}")
    saved_at = Timestamptz()
    points = Numeric(digits=(7, 2), null=True, default=None)
    graded_by = UUID(null=True, default=None)
    feedback = Text(default="")
    # Unique (attempt, question), as one column: SQLite cannot add a composite
    # constraint in a migration. Filled by the service as "{attempt}:{question}".
    natural_key = Varchar(length=200, unique=True)


class EvaluationResponse(Table, tablename="evaluation_response"):
    """A participant's reaction evaluation of a trainer or of the organization."""

    id = UUID(primary_key=True)
    session = ForeignKey(CourseSession, index=True)
    target_type = Varchar(length=16)
    trainer = ForeignKey(Trainer, null=True)
    target_key = Varchar(length=64)
    person = ForeignKey(Person)
    answers = JSON(default="{}")
    comment = Text(default="")
    submitted_at = Timestamptz()
    # Unique (session, person, target_key), as one column: SQLite cannot add a composite
    # constraint in a migration. Filled by the service as "{session}:{person}:{target_key}".
    natural_key = Varchar(length=200, unique=True)


class ComponentScore(Table, tablename="component_score"):
    """A score entered by hand for a component of the final score (e.g. trainer assessment)."""

    id = UUID(primary_key=True)
    session = ForeignKey(CourseSession, index=True)
    person = ForeignKey(Person, index=True)
    component = Varchar(length=64)
    score = Numeric(digits=(5, 2))
    entered_by = UUID(null=True, default=None)
    entered_at = Timestamptz()
    # Unique (session, person, component), as one column: SQLite cannot add a composite
    # constraint in a migration. Filled by the service as "{session}:{person}:{component}".
    natural_key = Varchar(length=200, unique=True)


class Result(Table, tablename="result"):
    """A participant's final result. Frozen once ``finalized_at`` is set; ``rules`` keeps the
    course rules it was computed with and ``amendments`` every audited correction."""

    id = UUID(primary_key=True)
    session = ForeignKey(CourseSession, index=True)
    person = ForeignKey(Person, index=True)
    components = JSON(default="{}")
    attendance_percent = Numeric(digits=(5, 2))
    final_score = Numeric(digits=(5, 2))
    passed = Boolean(default=False)
    predikat = Varchar(length=32, default="")
    rules = JSON(default="{}")
    finalized_at = Timestamptz(null=True, default=None)
    amendments = JSON(default="[]")
    note = Text(default="")
    updated_at = Timestamptz()
    # Unique (session, person), as one column: SQLite cannot add a composite
    # constraint in a migration. Filled by the service as "{session}:{person}".
    natural_key = Varchar(length=200, unique=True)
