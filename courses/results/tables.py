"""Final results and their amendments."""

from piccolo.columns import JSON, UUID, Boolean, ForeignKey, Numeric, Text, Timestamptz, Varchar
from piccolo.table import Table

from courses.delivery.tables import CourseSession
from lms.people.tables import Person


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
