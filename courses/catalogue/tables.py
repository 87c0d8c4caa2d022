"""Courses and their modules (mata pelatihan)."""

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

from lms.people.tables import Unit


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
