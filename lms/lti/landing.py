"""Where a launch lands: the page of the item an instructor placed by Deep Linking, for the
role the person launches in (the URLs agreed for the pages, docs/DEVELOPING.md).

The item travels in the launch's custom parameters that Prima itself put in the deep-linking
response (``prima_kind``, ``session_id``, ``quiz_id``). An LMS admin can edit custom
parameters, so every id is parsed as a UUID before it goes into a path, and anything unknown
lands on the role's home; the page then checks, as always, that the person may see the object
(404 otherwise).
"""

from __future__ import annotations

from uuid import UUID

from lms.lti.launch import Launch

KINDS = ("session", "quiz", "evaluation", "certificate")
_HOME = {"participant": "/saya", "trainer": "/latih", "organizer": "/kelola/sesi"}


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def placed_item(custom: dict[str, object]) -> tuple[str, UUID | None, UUID | None]:
    """(kind, session id, quiz id) of a placement's custom parameters; kind "" when none."""
    kind = str(custom.get("prima_kind") or "")
    if kind not in KINDS:
        return "", None, None
    return kind, _uuid(custom.get("session_id")), _uuid(custom.get("quiz_id"))


def landing_path(kind: str, session_id: UUID | None, quiz_id: UUID | None, role: str) -> str:
    """The page for ``kind`` (see :data:`KINDS`) in ``role`` (participant, trainer, organizer or
    admin, who lands as an organizer)."""
    role = "organizer" if role == "admin" else role
    home = _HOME.get(role, "/saya")
    if role == "participant":
        if kind == "quiz" and quiz_id:
            return f"/saya/kuis/{quiz_id}"
        if kind == "session" and session_id:
            return f"/saya/sesi/{session_id}"
        if kind == "evaluation" and session_id:
            return f"/saya/sesi/{session_id}/evaluasi"
        if kind == "certificate":
            return "/saya/sertifikat"
        return home
    if session_id is None:
        return home
    if role == "trainer":
        # The trainer's pages of a session: marks of its quizzes, else its attendance.
        page = "nilai" if kind == "quiz" else "kehadiran"
        return f"/latih/sesi/{session_id}/{page}"
    if kind == "quiz":
        return f"/kelola/sesi/{session_id}/kuis"
    if kind == "certificate":
        return f"/kelola/sesi/{session_id}/sertifikat"
    return f"/kelola/sesi/{session_id}"


def landing(launch: Launch, role: str) -> str:
    """The page a resource-link launch opens."""
    kind, session_id, quiz_id = placed_item(launch.custom)
    return landing_path(kind, session_id, quiz_id, role)
