"""Finalizing a session's results, and amending a finalized result.

Finalize (organizers of the session's unit), in one transaction with the session row locked:

1. compute every participant's result under the course's current rules;
2. write a ``Result`` row each, with the rules snapshot (course version, weights, bands, pass
   mark, minimum attendance, JP) and ``finalized_at``;
3. freeze the session: ``finalized_at``, the same rules snapshot in ``CourseSession.rules``
   (so a later course edit never changes these results) and status ``completed``;
4. mark the confirmed enrollments ``completed``;
5. credit every passed participant's JP to the lms ledger
   (``lms.competencies.ledger.credit_session``, idempotent per person and session): the
   course's JP in the year the session ends, klasikal per the course's training type, titled
   "<course title> <session name>", organized by the session's unit.

Finalize requires the readiness checklist (``courses.results.readiness``: the session ended in
its time zone, essays graded, post-tests present or explicitly excused, attendance marked for
every day; a participant excused from the post-test beforehand counts as excused here) unless
the organizer gives a written ``override_reason``, audited with the open
items. Afterwards attendance, attempts and grading answer 409 naming the amendment route
(``courses.delivery.frozen``).

A second finalize is 409; so is any later component-score change. A correction is an
amendment: new component values (the final score is recomputed with the frozen rules) or a
final score set directly, with a reason. It recomputes pass/fail and predikat, appends
``{at, by, by_name, reason, before, after}`` to ``amendments``, writes an audit entry and brings
the ledger along: credited when newly passed, credit revoked when newly failed. Once a
certificate of the session was issued to the person, the certificate decides: failing the
holder of a valid one, or passing someone whose certificate is revoked, is 409 (revoke or
reinstate the certificate instead), so the ledger and the verify page never disagree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec

from courses.catalogue.schemas import CourseRules
from courses.catalogue.services import course_rules
from courses.delivery.enrollment.participants import session_participants
from courses.delivery.sessions.access import SessionRecord, get_managed_session
from courses.results.excusals import stored_excusals
from courses.results.readiness import readiness_of
from courses.results.results import compute_session, score_rules
from courses.results.schemas import AmendmentCreate, FinalizeReport, FinalizeRequest, ResultRead
from courses.results.scoring import Computed, compute, decide
from courses.results.stored_results import (
    RESULT_COLUMNS,
    load_json,
    read_row,
    result_key,
)
from courses.tables import CourseSession, Enrollment, Result
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.competencies import ledger
from lms.db.locks import lock_row
from lms.shared.errors import Conflict, NotFound, RuleViolation
from lms.shared.values import cents, utcnow

ALREADY_FINALIZED = "Hasil sesi ini sudah difinalisasi."


def _json_components(components: dict[str, Decimal | None]) -> dict[str, str | None]:
    return {name: str(value) if value is not None else None for name, value in components.items()}


def _competencies(rules: CourseRules) -> list[str]:
    codes = list(rules.competency_codes)
    for module in rules.modules:
        codes += module.competency_codes
    return list(dict.fromkeys(codes))


async def _credit(
    caller: Caller, session: SessionRecord, rules: CourseRules, person_id: UUID
) -> UUID:
    return await ledger.credit_session(
        person_id=person_id,
        session_id=session.id,
        title=f"{rules.title} {session.name}".strip(),
        organizer=session.unit_name,
        jenis_diklat=rules.jenis_diklat,
        klasikal=rules.training_type == "klasikal",
        start_date=session.start_date,
        end_date=session.end_date,
        jp=rules.total_jp,
        competency_codes=_competencies(rules),
        actor=caller,
    )


async def _revoke(caller: Caller, session: SessionRecord, person_id: UUID, reason: str) -> None:
    await ledger.revoke_session_credit(
        person_id=person_id, session_id=session.id, reason=reason, actor=caller
    )


def _snapshot(c: Computed) -> dict[str, Any]:
    return {
        "components": _json_components(c.components),
        "attendance_percent": str(c.attendance_percent),
        "final_score": str(c.final_score),
        "passed": c.passed,
        "predikat": c.predikat,
    }


async def _refuse_flip_over_certificate(
    session_id: UUID, person_id: UUID, now_passes: bool
) -> None:
    """Refuse a pass/fail change that would make the ledger and a certificate disagree.

    A certificate of the session is the record that counts (the verify page shows it; its
    revocation takes the JP out of the ledger, its reinstatement puts them back). Failing a
    holder of a valid certificate left the page saying SAH with 24 JP while the ledger said 0;
    passing again someone whose certificate was revoked restored 24 JP beside DICABUT. The
    ledger knows whether a certificate was issued (``courses`` does not read certificates).

    Raises:
        Conflict: the person holds a valid certificate (and would fail), or a revoked one
            (and would pass): revoke or reinstate the certificate instead.
    """
    credit = await ledger.session_credit(person_id=person_id, session_id=session_id)
    if credit is None or not credit.certificate_number:
        return
    number = credit.certificate_number
    if not now_passes and credit.status == "approved":
        raise Conflict(
            f"Peserta memegang sertifikat {number} yang sah untuk sesi ini; cabut sertifikat itu "
            "lebih dulu (POST /api/v1/certificates/{id}/revoke): pencabutan mengeluarkan JP-nya "
            "dari buku JP. Setelah itu hasil dapat diamandemen menjadi tidak lulus."
        )
    if now_passes and credit.status != "approved":
        raise Conflict(
            f"Sertifikat {number} peserta untuk sesi ini dicabut; amandemen menjadi lulus akan "
            "mengembalikan JP di samping sertifikat yang dicabut. Pulihkan sertifikat itu "
            "(POST /api/v1/certificates/{id}/reinstate, admin) bila pencabutannya keliru."
        )


class FinalizeService:
    """Finalize a session's results and amend them afterwards (organizers)."""

    async def finalize(
        self, caller: Caller, session_id: UUID, data: FinalizeRequest | None = None
    ) -> FinalizeReport:
        """Freeze the results, complete the enrollments and credit passed participants' JP.

        The checklist (``courses.results.readiness``) must be complete, unless
        ``data.override_reason`` says why not (audited with the open items).

        Raises:
            Conflict: already finalized.
            RuleViolation: the session is cancelled or still a draft, the checklist is open
                and there is no override, or an excused person is not a participant.
        """
        data = data or FinalizeRequest()
        session = await get_managed_session(caller, session_id)
        if session.finalized_at is not None:
            raise Conflict(ALREADY_FINALIZED)
        if session.status in ("draft", "cancelled"):
            raise RuleViolation(f"Hasil sesi berstatus {session.status} tidak dapat difinalisasi.")
        excused = {item.person_id: item.reason for item in data.excused}
        participants = {p.person_id for p in await session_participants(session_id)}
        strangers = [
            {"field": f"excused[{index}].person_id", "message": "bukan peserta sesi ini"}
            for index, item in enumerate(data.excused)
            if item.person_id not in participants
        ]
        if strangers:
            raise RuleViolation("Peserta yang dibebaskan harus peserta sesi.", errors=strangers)
        # Excusals written before (courses.results.excusals) count as if sent now; the
        # request's reason wins for a person named in both.
        excused = {**await stored_excusals(session_id), **excused}
        readiness = await readiness_of(session, excused=excused)
        open_checks = [check for check in readiness.checks if not check.ok]
        if open_checks and data.override_reason is None:
            raise RuleViolation(
                "Sesi belum siap difinalisasi: "
                + "; ".join(check.detail for check in open_checks)
                + " Lihat GET /api/v1/sessions/{id}/results/readiness, atau finalisasi dengan "
                "override_reason (alasan tertulis, dicatat di log audit).".replace(
                    "{id}", str(session_id)
                ),
                errors=[
                    {"field": check.code, "message": check.label + ": belum"}
                    for check in open_checks
                ],
                extra={"readiness": msgspec.to_builtins(readiness)},
            )
        now = utcnow()
        credited = 0
        async with Result._meta.db.transaction():
            await lock_row(CourseSession, session_id)
            current = (
                await CourseSession.select(CourseSession.finalized_at)
                .where(CourseSession.id == session_id)
                .first()
            )
            if current is None or current["finalized_at"] is not None:
                raise Conflict(ALREADY_FINALIZED)
            rules = await course_rules(session.course_id)
            snapshot = msgspec.to_builtins(rules)
            computed = await compute_session(session_id, rules)
            rows = [
                Result(
                    id=uuid4(),
                    session=session_id,
                    person=p.person_id,
                    components=_json_components(c.components),
                    attendance_percent=c.attendance_percent,
                    final_score=c.final_score,
                    passed=c.passed,
                    predikat=c.predikat,
                    rules=snapshot,
                    finalized_at=now,
                    amendments=[],
                    note=(
                        f"Post-test dibebaskan: {excused[p.person_id]}"
                        if p.person_id in excused
                        else ""
                    ),
                    updated_at=now,
                    natural_key=result_key(session_id, p.person_id),
                )
                for p, c in computed
            ]
            if rows:
                await Result.insert(*rows)
            await CourseSession.update(
                {
                    CourseSession.finalized_at: now,
                    CourseSession.rules: snapshot,
                    CourseSession.status: "completed",
                    CourseSession.updated_at: now,
                }
            ).where(CourseSession.id == session_id)
            completed = (
                await Enrollment.update(
                    {Enrollment.status: "completed", Enrollment.updated_at: now}
                )
                .where((Enrollment.session == session_id) & (Enrollment.status == "confirmed"))
                .returning(Enrollment.id, Enrollment.person)
            )
            for enrollment in completed:
                await audit.record(
                    caller,
                    "enrollment.complete",
                    "enrollment",
                    enrollment["id"],
                    f"{session.name}: completed",
                    {"session_id": session_id, "person_id": enrollment["person"]},
                )
            for row, (p, c) in zip(rows, computed, strict=True):
                await audit.record(
                    caller,
                    "result.finalize",
                    "result",
                    row.id,
                    f"{p.full_name}: {c.final_score} {c.predikat}"
                    + ("" if c.passed else " (tidak lulus)"),
                    {"session_id": session_id, "person_id": p.person_id, **_snapshot(c)},
                )
                if c.passed:
                    await _credit(caller, session, rules, p.person_id)
                    credited += 1
            passed = sum(1 for _, c in computed if c.passed)
            if open_checks:
                await audit.record(
                    caller,
                    "session.finalize_override",
                    "session",
                    session_id,
                    f"{session.name}: finalisasi tanpa daftar periksa lengkap: "
                    f"{data.override_reason}",
                    {
                        "reason": data.override_reason,
                        "open_checks": [msgspec.to_builtins(check) for check in open_checks],
                    },
                )
            await audit.record(
                caller,
                "session.finalize",
                "session",
                session_id,
                f"{session.name}: {len(rows)} hasil, {passed} lulus",
                {
                    "course_version": rules.version,
                    "results": len(rows),
                    "passed": passed,
                    "post_test_excused": {str(k): v for k, v in excused.items()},
                },
            )
        return FinalizeReport(
            session_id=session_id,
            finalized_at=now,
            results=len(rows),
            passed=passed,
            failed=len(rows) - passed,
            credited=credited,
        )

    async def amend(
        self, caller: Caller, session_id: UUID, person_id: UUID, data: AmendmentCreate
    ) -> ResultRead:
        """Correct a finalized result (see the module docstring).

        Raises:
            NotFound: no result for this person in the session.
            Conflict: a pass/fail change that would contradict a certificate of the session
                (``_refuse_flip_over_certificate``).
            RuleViolation: the session is not finalized yet (change component scores
                instead), or a component the course does not weigh.
        """
        session = await get_managed_session(caller, session_id)
        if session.finalized_at is None:
            raise RuleViolation("Hasil belum difinalisasi: ubah nilai komponen, bukan amandemen.")
        now = utcnow()
        async with Result._meta.db.transaction():
            await lock_row(CourseSession, session_id)
            row = (
                await Result.select(*Result.all_columns())
                .where(Result.natural_key == result_key(session_id, person_id))
                .first()
            )
            if row is None:
                raise NotFound("Hasil peserta tidak ditemukan.")
            rules = msgspec.convert(load_json(row["rules"]), CourseRules, strict=False)
            scoring = score_rules(rules)
            stored = {
                name: cents(value) if value is not None else None
                for name, value in (load_json(row["components"]) or {}).items()
            }
            before = _snapshot(
                Computed(
                    components=stored,
                    attendance_percent=cents(row["attendance_percent"]),
                    final_score=cents(row["final_score"]),
                    passed=row["passed"],
                    predikat=row["predikat"],
                    missing=[],
                )
            )
            attendance = cents(row["attendance_percent"])
            if data.components is not None:
                unknown = [
                    name
                    for name in data.components
                    if name not in rules.weights and name != "attendance"
                ]
                if unknown:
                    raise RuleViolation(
                        "Komponen tidak dinilai pada pelatihan ini.",
                        errors=[
                            {"field": f"components.{name}", "message": "tidak dikenal"}
                            for name in unknown
                        ],
                    )
                attendance = data.components.get("attendance", attendance)
                merged = {**stored, **data.components}
                computed = compute(scoring, merged, attendance)
            else:
                assert data.final_score is not None
                missing = [name for name, value in stored.items() if value is None]
                computed = decide(scoring, stored, attendance, data.final_score, missing)
            if computed.passed != row["passed"]:
                await _refuse_flip_over_certificate(session_id, person_id, computed.passed)
            after = _snapshot(computed)
            entry = {
                "at": now.isoformat(),
                "by": str(caller.user_id),
                "by_name": caller.username,
                "reason": data.reason,
                "before": before,
                "after": after,
            }
            amendments = list(load_json(row["amendments"]) or []) + [entry]
            await Result.update(
                {
                    Result.components: _json_components(computed.components),
                    Result.attendance_percent: computed.attendance_percent,
                    Result.final_score: computed.final_score,
                    Result.passed: computed.passed,
                    Result.predikat: computed.predikat,
                    Result.amendments: amendments,
                    Result.updated_at: now,
                }
            ).where(Result.id == row["id"])
            await audit.record(
                caller,
                "result.amend",
                "result",
                row["id"],
                f"{before['final_score']} → {after['final_score']}: {data.reason}",
                {
                    "session_id": session_id,
                    "person_id": person_id,
                    "before": before,
                    "after": after,
                    "reason": data.reason,
                },
            )
            if computed.passed and not row["passed"]:
                await _credit(caller, session, rules, person_id)
                # A credit revoked by an earlier pass-to-fail amendment stays revoked when
                # credited again (the ledger's rule); this amendment makes it count again.
                await ledger.restore_session_credit(
                    person_id=person_id, session_id=session_id, actor=caller, reason=data.reason
                )
            elif row["passed"] and not computed.passed:
                await _revoke(caller, session, person_id, data.reason)
        updated = await Result.select(*RESULT_COLUMNS).where(Result.id == row["id"]).first()
        assert updated is not None  # written just above, and results are never deleted
        return read_row(updated)
