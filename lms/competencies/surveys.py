"""Survei Kepuasan Masyarakat uploads: a unit's answers per period, scored with
:mod:`lms.competencies.skm` (exact 1/9 weights, IKM = SKM x 25, categories A–D).

Policy on bad rows: a row with an answer outside 1–4 (or no period, or no answers) is
rejected and listed with its row number and reason; the good rows are saved and scored, and
the answer says how many rows counted. The index of a period therefore never includes a bad
answer, and the organizer sees exactly which rows to fix (then re-uploads with
``replace=true``). A file where no row is usable is refused as a whole (422).

A unit has one survey per period: uploading a period that exists is a 409 unless
``replace=true``, which swaps the old answers for the new in one transaction.

The period's dates come from its name when it follows a common pattern — ``2025`` (year),
``2025-S1``/``2025-S2`` (semester), ``2025-Q3``/``2025-TW3`` (quarter), ``2025-07`` (month) —
else from the earliest and latest answer dates; the JSON body may give them explicitly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID, uuid4

from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.competencies.report_schemas import (
    SkmPopulation,
    SkmSurveyCreate,
    SkmSurveyRead,
    SkmUploadResult,
)
from lms.competencies.schemas import RowProblem
from lms.competencies.scope import lock_unit, report_scope, unit_row
from lms.competencies.skm import (
    ELEMENT_CODES,
    MAX_ANSWER,
    MIN_ANSWER,
    SkmError,
    SkmResponse,
    compute_ikm,
    parse_skm_csv,
)
from lms.competencies.survey_rows import SURVEY_COLUMNS, period_bounds, survey_read
from lms.competencies.tables import SkmAnswer, SkmSurvey
from lms.config import Settings
from lms.people.tables import Unit
from lms.shared.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, RuleViolation
from lms.shared.schemas import Page
from lms.shared.tabular import FileTooLarge, MissingColumns, TabularError, TooManyRows

_INSERT_CHUNK = 500
MAX_PERIOD_LENGTH = 32
"""``SkmSurvey.period`` holds 32 characters."""


class SurveyService:
    """Stores and lists SKM surveys."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def _unit(self, caller: Caller, unit_id: UUID) -> dict[str, Any]:
        row = await unit_row(unit_id)
        if row is None or not caller.sees_unit(row["path"]):
            raise NotFound("Unit tidak ditemukan")
        return row

    async def upload(
        self,
        caller: Caller,
        *,
        unit_id: UUID | None,
        filename: str,
        content: bytes,
        replace: bool = False,
    ) -> SkmUploadResult:
        """Store a survey file (.csv or .xlsx, one row per respondent, U1–U9, a period).

        Raises:
            BadRequest: unreadable file, missing columns, or no unit given or named.
            PayloadTooLarge: above the size or row limit.
            NotFound: the unit is unknown or outside the caller's scope.
            RuleViolation: the file names another unit, no row is usable, or a period
                cannot be scored (an element nobody answered).
            Conflict: a period already stored and ``replace`` is false.
        """
        try:
            parsed = parse_skm_csv(
                content,
                filename=filename or "skm.csv",
                max_rows=self.settings.max_import_rows,
                max_bytes=self.settings.max_upload_bytes,
            )
        except (FileTooLarge, TooManyRows) as exc:
            raise PayloadTooLarge(str(exc)) from exc
        except MissingColumns as exc:
            raise BadRequest(
                str(exc), errors=[{"field": c, "message": "kolom wajib"} for c in exc.missing]
            ) from exc
        except TabularError as exc:
            raise BadRequest(str(exc)) from exc
        if unit_id is None:
            if not parsed.unit_code:
                raise BadRequest("unit_id wajib diisi (berkas tidak memuat kode unit)")
            found = await Unit.select(Unit.id).where(Unit.code == parsed.unit_code).first()
            if found is None:
                raise NotFound(f"Unit {parsed.unit_code} tidak ditemukan")
            unit_id = found["id"]
        unit = await self._unit(caller, unit_id)
        if parsed.unit_code and parsed.unit_code.casefold() != unit["code"].casefold():
            raise RuleViolation(
                f"Berkas untuk unit {parsed.unit_code}, bukan {unit['code']}",
                errors=[{"field": "unit_id", "message": "kode unit berbeda dengan berkas"}],
            )
        rejected = [RowProblem(row_number=e.row_number, errors=e.errors) for e in parsed.errors]
        accepted = []
        for response in parsed.responses:
            if len(response.period) > MAX_PERIOD_LENGTH:
                problem = f"Periode paling panjang {MAX_PERIOD_LENGTH} karakter"
                rejected.append(RowProblem(row_number=response.row_number, errors=[problem]))
            else:
                accepted.append(response)
        rejected.sort(key=lambda r: r.row_number)
        if not accepted:
            raise RuleViolation(
                "Tidak ada baris yang dapat dihitung",
                errors=_row_errors(rejected),
            )
        by_period: dict[str, list[SkmResponse]] = {}
        for response in accepted:
            by_period.setdefault(response.period, []).append(response)
        surveys = await self._save(caller, unit, by_period, {}, replace)
        return SkmUploadResult(
            unit_id=unit["id"],
            surveys=surveys,
            accepted_rows=len(accepted),
            rejected_rows=rejected,
        )

    async def create(self, caller: Caller, data: SkmSurveyCreate) -> SkmUploadResult:
        """Store a survey sent as JSON (same rules as the file; rows are numbered from 1)."""
        unit = await self._unit(caller, data.unit_id)
        responses: list[SkmResponse] = []
        rejected: list[RowProblem] = []
        for number, item in enumerate(data.responses, start=1):
            errors = _answer_errors(item.answers)
            if errors:
                rejected.append(RowProblem(row_number=number, errors=errors))
                continue
            responses.append(
                SkmResponse(
                    row_number=number,
                    respondent=item.respondent or str(number),
                    unit_code=unit["code"],
                    period=data.period,
                    service=item.service,
                    answered_on=item.answered_on,
                    answers=list(item.answers),
                )
            )
        if not responses:
            raise RuleViolation(
                "Tidak ada responden yang dapat dihitung", errors=_row_errors(rejected)
            )
        bounds = {}
        if data.period_start and data.period_end:
            bounds[data.period] = (data.period_start, data.period_end)
        surveys = await self._save(caller, unit, {data.period: responses}, bounds, data.replace)
        return SkmUploadResult(
            unit_id=unit["id"],
            surveys=surveys,
            accepted_rows=len(responses),
            rejected_rows=rejected,
        )

    async def _save(
        self,
        caller: Caller,
        unit: dict[str, Any],
        by_period: dict[str, list[SkmResponse]],
        bounds: dict[str, tuple[dt.date, dt.date]],
        replace: bool,
    ) -> list[SkmSurveyRead]:
        results = {}
        for period, responses in by_period.items():
            try:
                results[period] = compute_ikm([r.answers for r in responses])
            except SkmError as exc:
                raise RuleViolation(f"Periode {period}: {exc}") from exc
        keys = {period: f"{unit['id']}:{period}" for period in by_period}
        ids = []
        async with SkmSurvey._meta.db.transaction():
            await lock_unit(unit["id"])
            existing = await SkmSurvey.select(SkmSurvey.id, SkmSurvey.period).where(
                SkmSurvey.natural_key.is_in(list(keys.values()))
            )
            if existing and not replace:
                periods = ", ".join(sorted(r["period"] for r in existing))
                raise Conflict(
                    f"Survei periode {periods} untuk unit ini sudah ada; "
                    "kirim replace=true untuk menggantinya"
                )
            for old in existing:
                await SkmAnswer.delete().where(SkmAnswer.survey == old["id"])
                await SkmSurvey.delete().where(SkmSurvey.id == old["id"])
            for period, responses in by_period.items():
                result = results[period]
                dates = [r.answered_on for r in responses if r.answered_on]
                start, end = (
                    bounds.get(period)
                    or period_bounds(period)
                    or ((min(dates), max(dates)) if dates else (None, None))
                )
                survey_id = uuid4()
                await SkmSurvey.insert(
                    SkmSurvey(
                        id=survey_id,
                        unit=unit["id"],
                        period=period,
                        period_start=start,
                        period_end=end,
                        respondents=result.respondents,
                        element_means={
                            code: {
                                "answered": result.answered[code],
                                "nrr": str(result.nrr[code]),
                                "ikm": str(result.element_ikm[code]),
                            }
                            for code in ELEMENT_CODES
                        },
                        ikm=result.ikm,
                        skm=result.skm,
                        category=result.category,
                        created_at=dt.datetime.now(dt.UTC),
                        natural_key=keys[period],
                        created_by=caller.user_id,
                    )
                )
                answers = [
                    SkmAnswer(
                        id=uuid4(),
                        survey=survey_id,
                        respondent=r.respondent[:64],
                        service=r.service[:255],
                        answered_on=r.answered_on,
                        answers=r.answers,
                    )
                    for r in responses
                ]
                for i in range(0, len(answers), _INSERT_CHUNK):
                    await SkmAnswer.insert(*answers[i : i + _INSERT_CHUNK])
                await audit.record(
                    caller,
                    "skm_survey.replace" if existing else "skm_survey.create",
                    "skm_survey",
                    survey_id,
                    f"{unit['code']} {period}: IKM {result.ikm} ({result.category})",
                    {"respondents": result.respondents, "ikm": result.ikm},
                )
                ids.append(survey_id)
        rows = (
            await SkmSurvey.select(*SURVEY_COLUMNS)
            .where(SkmSurvey.id.is_in(ids))
            .output(load_json=True)
        )
        return sorted((survey_read(r) for r in rows), key=_period_order)

    async def population(self, caller: Caller, unit_id: UUID) -> SkmPopulation:
        """The unit's SKM population (service users per period).

        Raises:
            NotFound: the unit is unknown or outside the caller's scope.
        """
        await self._unit(caller, unit_id)
        row = await Unit.select(Unit.skm_population).where(Unit.id == unit_id).first()
        return SkmPopulation(unit_id=unit_id, population=row["skm_population"] if row else None)

    async def set_population(
        self, caller: Caller, unit_id: UUID, population: int | None
    ) -> SkmPopulation:
        """Set the population the unit's SKM samples are judged against (audited).

        Raises:
            NotFound: the unit is unknown or outside the caller's scope.
        """
        unit = await self._unit(caller, unit_id)
        async with Unit._meta.db.transaction():
            before = await Unit.select(Unit.skm_population).where(Unit.id == unit_id).first()
            await Unit.update({Unit.skm_population: population}).where(Unit.id == unit_id)
            await audit.record(
                caller,
                "unit.skm_population",
                "unit",
                unit_id,
                f"{unit['code']}: populasi SKM {population if population else 'dihapus'}",
                {"skm_population": [before["skm_population"] if before else None, population]},
            )
        return SkmPopulation(unit_id=unit_id, population=population)

    async def list(
        self, caller: Caller, *, unit_id: UUID | None, limit: int, offset: int
    ) -> Page[SkmSurveyRead]:
        """Surveys of the unit and below (default: the caller's unit; admins: all)."""
        scope = await report_scope(caller, unit_id)
        where = SkmSurvey.unit.path.like(scope.prefix + "%")
        total = await SkmSurvey.count().where(where)
        rows = await (
            SkmSurvey.select(*SURVEY_COLUMNS)
            .where(where)
            .order_by(SkmSurvey.unit.name)
            .order_by(SkmSurvey.period_start)
            .order_by(SkmSurvey.period)
            .limit(limit)
            .offset(offset)
            .output(load_json=True)
        )
        return Page(items=[survey_read(r) for r in rows], total=total)


def _period_order(survey: SkmSurveyRead) -> tuple[dt.date, str]:
    return (survey.period_start or dt.date.max, survey.period)


def _answer_errors(answers: list[int | None]) -> list[str]:
    if len(answers) != len(ELEMENT_CODES):
        return [f"Harus 9 jawaban (U1–U9), bukan {len(answers)}"]
    errors = [
        f"{code} bernilai {value}; jawaban harus {MIN_ANSWER}–{MAX_ANSWER} atau kosong"
        for code, value in zip(ELEMENT_CODES, answers, strict=True)
        if value is not None and not MIN_ANSWER <= value <= MAX_ANSWER
    ]
    if not errors and all(v is None for v in answers):
        errors.append("Tidak ada jawaban U1–U9")
    return errors


def _row_errors(rejected: list[RowProblem]) -> list[dict[str, str]]:
    return [
        {"field": f"baris {r.row_number}", "message": "; ".join(r.errors)} for r in rejected[:100]
    ]
