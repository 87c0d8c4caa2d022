"""Question banks, quizzes, attempts and evaluations."""

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from courses.delivery.tables import CourseSession, Trainer
from lms.people.tables import Person, Unit


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
