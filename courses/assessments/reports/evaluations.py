"""Reaction evaluations (Kirkpatrick level 1): participants rate each trainer and the
organization; staff read anonymous aggregates.

The questionnaire is fixed (the same for every session) so reports compare across sessions:
five statements per trainer and five about the organization, each scored on a Likert scale of
1–4 (Tidak Baik, Kurang Baik, Baik, Sangat Baik — the SKM scale participants know). Every item
must be answered; a comment is optional. One response per participant per target: a second is
409 (there is no editing, so nothing can be traced back by watching a figure change).

Anonymity: the report holds means, counts and comment texts only — never a person's id or
name, and comments are sorted by their text, not by when they came in. A trainer reads the
organization section and their own section; organizers (and HR) of the session's unit read
every section.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID, uuid4

from courses.assessments.reports.exact_stats import round_fraction
from courses.assessments.reports.schemas import (
    EvaluationCreate,
    EvaluationForm,
    EvaluationItem,
    EvaluationReport,
    EvaluationSaved,
    ItemMean,
    ScaleLabel,
    TargetReport,
    TrainerRef,
)
from courses.delivery.enrollment.participants import PARTICIPATING
from courses.delivery.sessions.access import (
    get_visible_session,
    is_session_trainer,
    trainer_ids_for,
)
from courses.delivery.trainers.service import trainer_display_name
from courses.tables import AgendaItem, Enrollment, EvaluationResponse
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.db.dialect import is_unique_violation
from lms.shared.errors import Conflict, Forbidden, NotFound, RuleViolation
from lms.shared.letterhead import LetterheadSource

SCALE: tuple[tuple[int, str], ...] = (
    (1, "Tidak Baik"),
    (2, "Kurang Baik"),
    (3, "Baik"),
    (4, "Sangat Baik"),
)
SCALE_MAX = len(SCALE)

TRAINER_ITEMS: tuple[tuple[str, str], ...] = (
    ("penguasaan_materi", "Penguasaan materi"),
    ("sistematika_penyajian", "Sistematika penyajian"),
    ("ketepatan_waktu", "Ketepatan waktu"),
    ("menjawab_pertanyaan", "Kemampuan menjawab pertanyaan"),
    ("metode_alat_bantu", "Penggunaan metode dan alat bantu"),
)
ORGANIZATION_ITEMS: tuple[tuple[str, str], ...] = (
    ("kesesuaian_materi", "Kesesuaian materi dengan kebutuhan tugas"),
    ("kenyamanan_tempat", "Kenyamanan tempat pelatihan"),
    ("ketersediaan_bahan", "Ketersediaan bahan ajar"),
    ("ketepatan_jadwal", "Ketepatan jadwal"),
    ("pelayanan_panitia", "Pelayanan panitia"),
)
ORGANIZATION = "organization"
ALREADY_SENT = "Anda sudah mengisi evaluasi ini."


def target_key(trainer_id: UUID | None) -> str:
    """``organization`` or ``trainer:<id>``: what one participant may evaluate once."""
    return ORGANIZATION if trainer_id is None else f"trainer:{trainer_id}"


def natural_key(session_id: UUID, person_id: UUID, key: str) -> str:
    """The unique ``EvaluationResponse.natural_key``."""
    return f"{session_id}:{person_id}:{key}"


def check_answers(items: tuple[tuple[str, str], ...], answers: dict[str, int]) -> None:
    """Every item answered with a score on the scale, and nothing else.

    Raises:
        RuleViolation: with one field error per missing, unknown or out-of-scale answer.
    """
    codes = [code for code, _ in items]
    errors = [
        {"field": f"answers.{code}", "message": "wajib diisi"}
        for code in codes
        if code not in answers
    ]
    errors += [
        {"field": f"answers.{code}", "message": "butir tidak dikenal"}
        for code in answers
        if code not in codes
    ]
    errors += [
        {"field": f"answers.{code}", "message": f"nilai harus 1 sampai {SCALE_MAX}"}
        for code, value in answers.items()
        if code in codes and not 1 <= value <= SCALE_MAX
    ]
    if errors:
        raise RuleViolation("Jawaban evaluasi tidak lengkap atau tidak valid.", errors=errors)


def item_means(
    items: tuple[tuple[str, str], ...], answer_sets: list[dict[str, int]]
) -> tuple[list[ItemMean], Decimal | None]:
    """Mean (2 decimals, half-up) and distribution per item, and the mean of every score."""
    result = []
    every: list[int] = []
    for code, text in items:
        values = [a[code] for a in answer_sets if isinstance(a.get(code), int)]
        every += values
        result.append(
            ItemMean(
                code=code,
                text=text,
                n=len(values),
                mean=round_fraction(Fraction(sum(values), len(values)), 2) if values else None,
                distribution=[values.count(score) for score, _ in SCALE],
            )
        )
    overall = round_fraction(Fraction(sum(every), len(every)), 2) if every else None
    return result, overall


def _answers(value: Any) -> dict[str, int]:
    data = json.loads(value) if isinstance(value, str) else value
    return {str(k): v for k, v in (data or {}).items() if isinstance(v, int)}


async def session_trainers(session_id: UUID) -> list[TrainerRef]:
    """Trainers on the session's agenda, by name."""
    rows = await AgendaItem.select(
        AgendaItem.trainer.as_alias("id"),
        AgendaItem.trainer.name.as_alias("name"),
        AgendaItem.trainer.front_title.as_alias("front_title"),
        AgendaItem.trainer.back_title.as_alias("back_title"),
        AgendaItem.trainer.institution.as_alias("institution"),
    ).where((AgendaItem.session == session_id) & AgendaItem.trainer.is_not_null())
    unique = {row["id"]: row for row in rows}
    refs = [
        TrainerRef(id=row["id"], name=trainer_display_name(row), institution=row["institution"])
        for row in unique.values()
    ]
    return sorted(refs, key=lambda t: (t.name, str(t.id)))


class EvaluationService:
    """The questionnaire, participants' responses and the anonymous report; ``letterhead``
    heads the report's workbook with the office's kop (issuer profile)."""

    def __init__(self, letterhead: LetterheadSource | None = None) -> None:
        self.letterhead = letterhead

    async def _participant(self, caller: Caller, session_id: UUID) -> None:
        await get_visible_session(caller, session_id)
        enrolled = caller.person_id is not None and await Enrollment.exists().where(
            (Enrollment.session == session_id)
            & (Enrollment.person == caller.person_id)
            & Enrollment.status.is_in(list(PARTICIPATING))
        )
        if not enrolled:
            raise Forbidden("Hanya peserta sesi ini yang dapat mengisi evaluasi.")

    async def form(self, caller: Caller, session_id: UUID) -> EvaluationForm:
        """The questionnaire, the trainers to evaluate and what the caller already sent."""
        await self._participant(caller, session_id)
        done = await EvaluationResponse.select(EvaluationResponse.target_key).where(
            (EvaluationResponse.session == session_id)
            & (EvaluationResponse.person == caller.person_id)
        )
        return EvaluationForm(
            session_id=session_id,
            scale=[ScaleLabel(value=value, label=label) for value, label in SCALE],
            trainer_items=[EvaluationItem(code=c, text=t) for c, t in TRAINER_ITEMS],
            organization_items=[EvaluationItem(code=c, text=t) for c, t in ORGANIZATION_ITEMS],
            trainers=await session_trainers(session_id),
            submitted=sorted(row["target_key"] for row in done),
        )

    async def submit(
        self, caller: Caller, session_id: UUID, data: EvaluationCreate
    ) -> EvaluationSaved:
        """Store one evaluation (409 when the caller already evaluated this target)."""
        await self._participant(caller, session_id)
        assert caller.person_id is not None
        if data.target == "trainer":
            trainers = {t.id for t in await session_trainers(session_id)}
            if data.trainer_id not in trainers:
                raise RuleViolation(
                    "Narasumber ini tidak mengajar di sesi ini.",
                    errors=[{"field": "trainer_id", "message": "bukan narasumber sesi"}],
                )
            check_answers(TRAINER_ITEMS, data.answers)
        else:
            check_answers(ORGANIZATION_ITEMS, data.answers)
        key = target_key(data.trainer_id)
        unique = natural_key(session_id, caller.person_id, key)
        evaluation_id = uuid4()
        try:
            await self._insert(caller, session_id, data, key, unique, evaluation_id)
        except Exception as exc:
            if not is_unique_violation(exc):
                raise
            # two submissions at once: the other one won the natural key
            raise Conflict(ALREADY_SENT) from None
        return EvaluationSaved(
            id=evaluation_id, session_id=session_id, target=data.target, trainer_id=data.trainer_id
        )

    async def _insert(
        self,
        caller: Caller,
        session_id: UUID,
        data: EvaluationCreate,
        key: str,
        unique: str,
        evaluation_id: UUID,
    ) -> None:
        assert caller.person_id is not None
        async with EvaluationResponse._meta.db.transaction():
            if await EvaluationResponse.exists().where(EvaluationResponse.natural_key == unique):
                raise Conflict(ALREADY_SENT)
            await EvaluationResponse.insert(
                EvaluationResponse(
                    id=evaluation_id,
                    session=session_id,
                    target_type=data.target,
                    trainer=data.trainer_id,
                    target_key=key,
                    person=caller.person_id,
                    answers=dict(data.answers),
                    comment=data.comment.strip(),
                    submitted_at=dt.datetime.now(dt.UTC),
                    natural_key=unique,
                )
            )
            await audit.record(
                caller,
                "evaluation.create",
                "evaluation",
                evaluation_id,
                f"evaluasi {key}",
                {"session_id": session_id, "target": key},
            )

    async def report(self, caller: Caller, session_id: UUID) -> EvaluationReport:
        """Anonymous means per item, per trainer and for the organization.

        Raises:
            NotFound: the caller is neither staff of the session's unit nor its trainer.
        """
        session = await get_visible_session(caller, session_id)
        own_trainers: set[UUID] | None = None
        if caller.role == "trainer":
            if not await is_session_trainer(caller, session_id):
                raise NotFound("Sesi tidak ditemukan.")
            own_trainers = set(await trainer_ids_for(caller))
        elif not caller.sees_unit(session.unit_path):
            raise NotFound("Sesi tidak ditemukan.")
        rows = await EvaluationResponse.select(
            EvaluationResponse.person,
            EvaluationResponse.target_key,
            EvaluationResponse.answers,
            EvaluationResponse.comment,
        ).where(EvaluationResponse.session == session_id)
        by_target: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_target.setdefault(row["target_key"], []).append(row)
        organization = _section(ORGANIZATION, None, "Penyelenggara", ORGANIZATION_ITEMS, by_target)
        sections = [
            _section(target_key(t.id), t.id, t.name, TRAINER_ITEMS, by_target)
            for t in await session_trainers(session_id)
            if own_trainers is None or t.id in own_trainers
        ]
        participants = await Enrollment.count().where(
            (Enrollment.session == session_id) & Enrollment.status.is_in(list(PARTICIPATING))
        )
        return EvaluationReport(
            session_id=session_id,
            scale_max=SCALE_MAX,
            participants=participants,
            respondents=len({row["person"] for row in rows}),
            organization=organization,
            trainers=sections,
        )


def _section(
    key: str,
    trainer_id: UUID | None,
    name: str,
    items: tuple[tuple[str, str], ...],
    by_target: dict[str, list[dict[str, Any]]],
) -> TargetReport:
    rows = by_target.get(key, [])
    means, overall = item_means(items, [_answers(row["answers"]) for row in rows])
    return TargetReport(
        target="trainer" if trainer_id else ORGANIZATION,
        trainer_id=trainer_id,
        name=name,
        respondents=len(rows),
        mean=overall,
        items=means,
        comments=sorted(row["comment"] for row in rows if row["comment"]),
    )
