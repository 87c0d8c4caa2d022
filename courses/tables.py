"""Every table of the ``courses`` Piccolo app."""

from courses.assessments.tables import (
    Attempt,
    AttemptAnswer,
    EvaluationResponse,
    Question,
    QuestionBank,
    Quiz,
)
from courses.catalogue.tables import Course, Module
from courses.delivery.tables import AgendaItem, AttendanceMark, CourseSession, Enrollment, Trainer
from courses.results.tables import ComponentScore, Result

__all__ = [
    "AgendaItem",
    "Attempt",
    "AttemptAnswer",
    "AttendanceMark",
    "ComponentScore",
    "Course",
    "CourseSession",
    "Enrollment",
    "EvaluationResponse",
    "Module",
    "Question",
    "QuestionBank",
    "Quiz",
    "Result",
    "Trainer",
]
