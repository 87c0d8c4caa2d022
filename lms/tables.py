"""Every table of the ``lms`` Piccolo app, in one import for the app config and tests."""

from lms.audit.tables import AuditEntry
from lms.auth.tables import User
from lms.competencies.tables import (
    Competency,
    JpYearTotal,
    LearningRecord,
    SkmAnswer,
    SkmSurvey,
    TranscriptCopy,
)
from lms.jobs.tables import Job
from lms.lti.tables import (
    LtiHandoff,
    LtiIdentity,
    LtiLaunchState,
    LtiPlatform,
    LtiRegistrationToken,
    LtiResourceLink,
    LtiScore,
)
from lms.people.tables import Person, Unit

__all__ = [
    "AuditEntry",
    "Competency",
    "Job",
    "JpYearTotal",
    "LearningRecord",
    "LtiHandoff",
    "LtiIdentity",
    "LtiLaunchState",
    "LtiPlatform",
    "LtiRegistrationToken",
    "LtiResourceLink",
    "LtiScore",
    "Person",
    "SkmAnswer",
    "SkmSurvey",
    "TranscriptCopy",
    "Unit",
    "User",
]
