"""Course rules: validation of weights and bands, reading courses, and the rules snapshot.

``course_rules`` and ``session_rules`` are what results, certificates and the JP ledger compute
with. Numbers are returned with exactly two decimals on both engines (``cents``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec

from courses.catalogue.schemas import (
    COMPONENTS,
    CourseRead,
    CourseRules,
    ModuleRule,
    PredikatBand,
)
from courses.tables import Course, CourseSession, Module
from lms.competencies.schemas import JENIS_DIKLAT
from lms.competencies.tables import Competency
from lms.shared.errors import NotFound, RuleViolation
from lms.shared.values import cents

_HUNDRED = Decimal(100)


def json_value(value: Any) -> Any:
    """A JSON column's value as Python data (Piccolo returns the text on both engines)."""
    if isinstance(value, str):
        return json.loads(value) if value else None
    return value


def validate_weights(weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """Check final-score weights: known components, summing to exactly 100.

    Raises:
        RuleViolation: an unknown component, or a sum other than 100 (422 with field errors).
    """
    errors = [
        {
            "field": f"weights.{name}",
            "message": f"komponen tidak dikenal; gunakan {', '.join(COMPONENTS)}",
        }
        for name in weights
        if name not in COMPONENTS
    ]
    if errors:
        raise RuleViolation("Komponen bobot nilai tidak dikenal.", errors=errors)
    total = sum(weights.values(), Decimal(0))
    if total != _HUNDRED:
        raise RuleViolation(
            f"Jumlah bobot nilai harus 100, bukan {total.normalize():f}.",
            errors=[{"field": "weights", "message": f"jumlah {total.normalize():f}, harus 100"}],
        )
    return {name: weights[name] for name in COMPONENTS if name in weights}


def validate_bands(bands: list[PredikatBand]) -> list[PredikatBand]:
    """Order predikat bands high to low and require distinct minimums and a band from 0.

    Raises:
        RuleViolation: duplicate minimums, or no band starting at 0 (a score would get no
            predikat).
    """
    ordered = sorted(bands, key=lambda b: b.min_score, reverse=True)
    minimums = [b.min_score for b in ordered]
    if len(set(minimums)) != len(minimums):
        raise RuleViolation(
            "Batas bawah predikat tidak boleh sama.",
            errors=[{"field": "predikat_bands", "message": "min_score harus berbeda"}],
        )
    if not ordered or ordered[-1].min_score != 0:
        raise RuleViolation(
            "Predikat harus mencakup semua nilai: satu predikat harus mulai dari 0.",
            errors=[{"field": "predikat_bands", "message": "perlu predikat dengan min_score 0"}],
        )
    return ordered


def pass_mark_problem(pass_mark: Decimal, bands: list[PredikatBand]) -> str | None:
    """Why ``pass_mark`` and ``bands`` disagree (Indonesian), or ``None`` when they agree.

    Why: the pass test (``final ≥ pass_mark``) and the bands (``final ≥ min_score``) use the
    same inclusive boundary, so they agree only when the pass mark is itself a band's lower
    bound. Otherwise one band holds both passes and fails: with the default bands (Cukup
    Memuaskan from 70.01, DOMAIN.md) and a pass mark of 70, a final score of 70.00 passed
    with "Kurang Memuaskan" printed on the certificate. The bands from the pass mark up are
    the passing predikat, the ones below it the failing ones. Courses saved before this rule
    existed may still disagree: reading them reports it (``CourseRead.rule_problems``) and
    finalize's checklist holds their sessions (``courses.results.readiness``).

    Args:
        pass_mark: The course's pass mark.
        bands: The course's bands (one of them starts at 0: ``validate_bands``).
    """
    bands = sorted(bands, key=lambda b: b.min_score, reverse=True)
    if not bands or any(band.min_score == pass_mark for band in bands):
        return None
    inside = next((band for band in bands if band.min_score <= pass_mark), bands[-1])
    above = [band for band in bands if band.min_score > pass_mark]
    suggestion = (
        f" Gunakan batas lulus {above[-1].min_score:.2f} (awal predikat "
        f'"{above[-1].label}") atau sesuaikan predikat.'
        if above
        else " Sesuaikan predikat."
    )
    return (
        f'Batas lulus {pass_mark:.2f} jatuh di dalam predikat "{inside.label}" (mulai '
        f"{inside.min_score:.2f}), sehingga peserta yang lulus bisa mendapat predikat yang "
        "sama dengan peserta yang tidak lulus. Batas lulus harus sama dengan nilai awal salah "
        "satu predikat." + suggestion
    )


def check_pass_mark(pass_mark: Decimal, bands: list[PredikatBand]) -> None:
    """Refuse a pass mark that falls inside a predikat band (422; see
    :func:`pass_mark_problem`).

    Raises:
        RuleViolation: the pass mark is not the lower bound of any band.
    """
    problem = pass_mark_problem(pass_mark, bands)
    if problem is not None:
        raise RuleViolation(
            problem,
            errors=[
                {
                    "field": "pass_mark",
                    "message": "harus sama dengan min_score salah satu predikat_bands",
                }
            ],
        )


async def check_competencies(codes: list[str], field: str) -> None:
    """Raise 422 naming the competency codes the framework does not have."""
    if not codes:
        return
    known = {
        row["code"]
        for row in await Competency.select(Competency.code).where(Competency.code.is_in(codes))
    }
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise RuleViolation(
            f"Kompetensi tidak dikenal: {', '.join(unknown)}.",
            errors=[{"field": field, "message": f"tidak ada: {', '.join(unknown)}"}],
        )


def bands_to_json(bands: list[PredikatBand]) -> list[dict[str, str]]:
    """Bands as stored in ``Course.predikat_bands`` (decimals as strings, exact)."""
    return [{"min_score": str(b.min_score), "label": b.label} for b in bands]


def weights_to_json(weights: dict[str, Decimal]) -> dict[str, str]:
    """Weights as stored in ``Course.weights`` (decimals as strings, exact)."""
    return {name: str(value) for name, value in weights.items()}


async def course_modules(course_id: UUID) -> list[dict[str, Any]]:
    """The modules of a course as rows, by position."""
    rows = await (
        Module.select(Module.id, Module.position, Module.title, Module.jp, Module.competency_codes)
        .where(Module.course == course_id)
        .order_by(Module.position)
    )
    for row in rows:
        row["competency_codes"] = json_value(row["competency_codes"]) or []
    return rows


def _rule_problems(pass_mark: Decimal, bands: list[dict[str, Any]]) -> list[dict[str, str]]:
    problem = pass_mark_problem(pass_mark, [PredikatBand(**band) for band in bands])
    return [{"field": "pass_mark", "message": problem}] if problem else []


def course_read(row: dict[str, Any], modules: list[dict[str, Any]]) -> CourseRead:
    """The API view of a course row (``COURSE_COLUMNS``) and its module rows."""
    bands = [
        {"min_score": cents(b["min_score"]), "label": b["label"]}
        for b in json_value(row["predikat_bands"]) or []
    ]
    weights = {name: cents(value) for name, value in (json_value(row["weights"]) or {}).items()}
    modules = [{**m, "jp": cents(m["jp"])} for m in modules]
    return msgspec.convert(
        {
            **row,
            "pass_mark": cents(row["pass_mark"]),
            "min_attendance": cents(row["min_attendance"]),
            "jenis_diklat_label": JENIS_DIKLAT.get(row["jenis_diklat"], ""),
            "weights": weights,
            "predikat_bands": bands,
            "competency_codes": json_value(row["competency_codes"]) or [],
            "modules": modules,
            "total_jp": sum((m["jp"] for m in modules), Decimal("0.00")),
            "rule_problems": _rule_problems(cents(row["pass_mark"]), bands),
        },
        CourseRead,
        strict=False,
    )


COURSE_COLUMNS = (
    *Course.all_columns(exclude=[Course.unit]),
    Course.unit.as_alias("unit_id"),
    Course.unit.name.as_alias("unit_name"),
    Course.unit.path.as_alias("unit_path"),
)


async def course_row(course_id: UUID) -> dict[str, Any] | None:
    """A course with its unit's id, name and path (``COURSE_COLUMNS``), or None."""
    return await Course.select(*COURSE_COLUMNS).where(Course.id == course_id).first()


async def course_rules(course_id: UUID) -> CourseRules:
    """The current rules of a course (what a result computed now would use).

    Raises:
        NotFound: no such course.
    """
    row = await course_row(course_id)
    if row is None:
        raise NotFound("Pelatihan tidak ditemukan.")
    return rules_from(row, await course_modules(course_id))


def rules_from(row: dict[str, Any], modules: list[dict[str, Any]]) -> CourseRules:
    """The rules of a course row and its module rows."""
    course = course_read(row, modules)
    return CourseRules(
        course_id=course.id,
        version=course.version,
        code=course.code,
        title=course.title,
        training_type=course.training_type,
        jenis_diklat=course.jenis_diklat,
        pass_mark=course.pass_mark,
        min_attendance=course.min_attendance,
        weights=course.weights,
        predikat_bands=course.predikat_bands,
        total_jp=course.total_jp,
        modules=[
            ModuleRule(
                id=m.id,
                position=m.position,
                title=m.title,
                jp=m.jp,
                competency_codes=m.competency_codes,
            )
            for m in course.modules
        ],
        validity_months=course.validity_months,
        competency_codes=course.competency_codes,
    )


async def session_rules(session_id: UUID) -> CourseRules:
    """The rules a session's results are computed with: its frozen snapshot once finalized
    (``CourseSession.rules``), else the course's current rules.

    Raises:
        NotFound: no such session.
    """
    row = await (
        CourseSession.select(CourseSession.course, CourseSession.rules)
        .where(CourseSession.id == session_id)
        .first()
    )
    if row is None:
        raise NotFound("Sesi tidak ditemukan.")
    snapshot = json_value(row["rules"])
    if snapshot:
        return msgspec.convert(snapshot, CourseRules, strict=False)
    return await course_rules(row["course"])
