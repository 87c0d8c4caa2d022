"""Roster sync (NRPS 2.0 -> enrollment): the learners of an LMS course are enrolled in the
session the placement is tied to, with the same per-row report as the Excel import.

People are matched by the NIP the platform shares (Moodle's ``lis_person_sourcedid``, the
user's ID number) or, failing that, by an email exactly one person has. A member nobody in
Prima matches is reported ``rejected`` with the reason: an ASN's record (ASN type, golongan,
unit) is not something an LMS knows, so it is not invented here; the organizer imports or adds
the person, and the next sync enrolls them. Seats and waitlist follow the same locked path as
every other enrollment.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from courses.delivery.enrollment.importing import import_row
from courses.delivery.enrollment.schemas import EnrollmentImportReport, ImportRow
from courses.delivery.sessions.access import get_managed_session
from courses.delivery.sessions.seats import AlreadyEnrolled, check_open_for_organizer, enroll_locked
from courses.tables import CourseSession, Enrollment
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.db.locks import lock_row
from lms.lti.services import ServiceClient, ServiceError
from lms.lti.tables import LtiPlatform, LtiResourceLink
from lms.people.tables import Person
from lms.shared.errors import BadRequest, Conflict, NotFound

_DIGITS = re.compile(r"\D")
OUTCOMES = ("confirmed", "waitlisted", "requested", "already_enrolled", "rejected")


async def tied_link(session_id: UUID, link_id: UUID, *, tie: bool) -> tuple[dict, dict]:
    """The placement and its platform; ``tie`` binds an untied placement to the session."""
    link = await LtiResourceLink.select().where(LtiResourceLink.id == link_id).first()
    if link is None:
        raise NotFound("Penempatan LTI tidak ditemukan.")
    if link["session_id"] and link["session_id"] != session_id:
        raise Conflict("Penempatan LTI ini sudah terhubung ke sesi lain.")
    if link["session_id"] is None and tie:
        await LtiResourceLink.update({LtiResourceLink.session_id: session_id}).where(
            LtiResourceLink.id == link_id
        )
    platform = await LtiPlatform.select().where(LtiPlatform.id == link["platform"]).first()
    if platform is None:
        raise NotFound("Platform LTI tidak ditemukan.")
    return link, platform


def _is_learner(member: dict[str, Any]) -> bool:
    roles = member.get("roles") or []
    active = member.get("status", "Active") == "Active"
    return active and any(str(r).endswith("Learner") for r in roles)


async def _match(member: dict[str, Any]) -> tuple[str | None, UUID | None, str]:
    digits = _DIGITS.sub("", str(member.get("lis_person_sourcedid") or ""))
    nip = digits if len(digits) == 18 else None
    if nip:
        row = await Person.select(Person.id).where(Person.nip == nip).first()
        if row:
            return nip, row["id"], ""
    email = str(member.get("email") or "").strip()
    if email:
        rows = await Person.select(Person.id).where(Person.email == email).limit(2)
        if len(rows) == 1:
            return nip, rows[0]["id"], ""
    reason = (
        f"NIP {nip} tidak ada di data Prima"
        if nip
        else "NIP tidak dibagikan LMS dan email tidak cocok"
    )
    return nip, None, reason


async def sync_roster(
    caller: Caller, session_id: UUID, link_id: UUID, client: ServiceClient
) -> EnrollmentImportReport:
    """Enroll the learners of the placement's LMS course into the session.

    Raises:
        NotFound: the caller does not manage the session, or the placement is unknown.
        Conflict: the placement belongs to another session.
        BadRequest: the launch carried no roster service, or the platform refused.
    """
    session = await get_managed_session(caller, session_id)
    check_open_for_organizer(session)
    link, platform = await tied_link(session.id, link_id, tie=True)
    if not link["memberships_url"]:
        raise BadRequest("LMS tidak menyediakan layanan daftar anggota (NRPS) untuk kursus ini.")
    try:
        members = [m async for m in client.members(platform, link["memberships_url"])]
    except ServiceError as exc:
        raise BadRequest(str(exc)) from exc
    learners = [m for m in members if _is_learner(m)]
    matched = [await _match(m) for m in learners]
    rows: list[ImportRow] = []
    async with Enrollment._meta.db.transaction():
        await lock_row(CourseSession, session.id)
        for number, (member, (nip, person_id, reason)) in enumerate(
            zip(learners, matched, strict=True), start=1
        ):
            outcome = "rejected"
            if person_id is not None:
                try:
                    _, outcome = await enroll_locked(
                        session, person_id, request_only=False, actor=caller
                    )
                except AlreadyEnrolled:
                    outcome = "already_enrolled"
            rows.append(
                import_row(
                    row_number=number,
                    nip=nip,
                    name=str(member.get("name") or "")[:200],
                    person_id=person_id,
                    person_created=False,
                    outcome=outcome,
                    messages=[reason] if reason else [],
                )
            )
        counts = {o: sum(1 for r in rows if r.outcome == o) for o in OUTCOMES}
        source = f"LMS: {link['context_title'] or link['context_id']}"
        await audit.record(
            caller,
            "enrollment.lti_roster",
            "session",
            session.id,
            f"{session.name}: sinkron peserta dari {source} ({counts['confirmed']} terkonfirmasi,"
            f" {counts['rejected']} ditolak)",
            {"link_id": str(link_id), **counts},
        )
    return EnrollmentImportReport(
        filename=source,
        total_rows=len(rows),
        people_created=0,
        rows=rows,
        **counts,
    )
