"""Which questions a quiz asks: a fixed list, or random draws by category for each attempt.

Stored in ``Quiz.selection`` as ``{"question_ids": [...]}`` or ``{"random": [rule, ...]}``.

Where questions may come from: a bank the organizer manages, or a bank of the session's unit
or of a unit above it (a city-wide bank serves every office's sessions). A random rule without
``bank_id`` draws from the latter.

A draw is deterministic per attempt: ``random.Random(str(attempt_id))`` picks the questions
(from candidates sorted by id) and, when the quiz shuffles, their order. The drawn ids are
stored on the attempt, so a question edited or retired later never changes an attempt.
"""

from __future__ import annotations

import json
import random
from typing import Any
from uuid import UUID

import msgspec

from courses.assessments.questions.authoring import category_path, parse_category
from courses.assessments.questions.schemas import RandomRule, RandomSelection, Selection
from courses.tables import Question as QuestionRow
from courses.tables import QuestionBank
from lms.auth.caller import Caller
from lms.people.database import starts_with
from lms.shared.errors import RuleViolation


def to_stored(selection: Selection) -> dict[str, Any]:
    """The JSON kept in ``Quiz.selection``."""
    if isinstance(selection, RandomSelection):
        return {"random": msgspec.to_builtins(selection.random)}
    return {"question_ids": [str(question_id) for question_id in selection]}


def from_stored(raw: Any) -> Selection:
    """The selection from ``Quiz.selection`` (text or already decoded)."""
    data = json.loads(raw) if isinstance(raw, str) else (raw or {})
    if data.get("random"):
        return msgspec.convert({"random": data["random"]}, RandomSelection)
    return [UUID(question_id) for question_id in data.get("question_ids", [])]


def question_count(selection: Selection) -> int:
    """How many questions an attempt gets."""
    if isinstance(selection, RandomSelection):
        return sum(rule.count for rule in selection.random)
    return len(selection)


def ancestor_unit_ids(unit_path: str) -> list[UUID]:
    """The unit of ``unit_path`` and every unit above it (the path is ``/<root>/.../<unit>/``)."""
    return [UUID(part) for part in unit_path.strip("/").split("/") if part]


async def _usable_banks(
    caller: Caller | None, session_unit_path: str, bank_ids: set[UUID]
) -> set[UUID]:
    """Which of ``bank_ids`` a quiz of this session may take questions from."""
    if not bank_ids:
        return set()
    rows = await QuestionBank.select(
        QuestionBank.id, QuestionBank.unit, QuestionBank.unit.path.as_alias("unit_path")
    ).where(QuestionBank.id.is_in(list(bank_ids)))
    above = set(ancestor_unit_ids(session_unit_path))
    return {
        row["id"]
        for row in rows
        if row["unit"] in above
        or (
            caller is not None
            and caller.role in ("admin", "organizer")
            and caller.sees_unit(row["unit_path"])
        )
    }


async def _session_banks(session_unit_path: str) -> list[UUID]:
    units = ancestor_unit_ids(session_unit_path)
    if not units:
        return []
    rows = await QuestionBank.select(QuestionBank.id).where(QuestionBank.unit.is_in(units))
    return [row["id"] for row in rows]


def _category_where(rule: RandomRule) -> Any:
    path = category_path(parse_category(rule.category))
    where: Any = QuestionRow.category == path
    if rule.include_subcategories:
        where = where | starts_with(QuestionRow.category, path + "/")
    return where


async def _pool(rule: RandomRule, session_unit_path: str) -> list[UUID]:
    """Ids that ``rule`` may draw, sorted (active, gradable questions of the category)."""
    banks = [rule.bank_id] if rule.bank_id is not None else await _session_banks(session_unit_path)
    if not banks:
        return []
    rows = await QuestionRow.select(QuestionRow.id).where(
        QuestionRow.bank.is_in(banks)
        & (QuestionRow.active == True)  # noqa: E712 (a Piccolo expression)
        & (QuestionRow.type != "description")
        & _category_where(rule)
    )
    return sorted((row["id"] for row in rows), key=str)


async def check(caller: Caller, session_unit_path: str, selection: Selection) -> None:
    """Refuse a selection whose questions are unknown, out of reach or too few.

    Raises:
        RuleViolation: with one ``errors`` entry per problem.
    """
    errors: list[dict[str, str]] = []
    if isinstance(selection, RandomSelection):
        named = {rule.bank_id for rule in selection.random if rule.bank_id is not None}
        usable = await _usable_banks(caller, session_unit_path, named)
        for index, rule in enumerate(selection.random):
            field = f"selection.random[{index}]"
            if rule.bank_id is not None and rule.bank_id not in usable:
                errors.append({"field": field, "message": "bank soal tidak ditemukan"})
                continue
            available = len(await _pool(rule, session_unit_path))
            if available < rule.count:
                errors.append(
                    {
                        "field": field,
                        "message": f"kategori '{rule.category}' hanya memiliki {available} "
                        f"soal, diminta {rule.count}",
                    }
                )
        if question_count(selection) > 200:
            errors.append({"field": "selection", "message": "paling banyak 200 soal"})
    else:
        if len(set(selection)) != len(selection):
            errors.append({"field": "selection", "message": "soal tidak boleh diulang"})
        rows = (
            await QuestionRow.select(QuestionRow.id, QuestionRow.bank).where(
                QuestionRow.id.is_in(list(selection))
            )
            if selection
            else []
        )
        found = {row["id"]: row["bank"] for row in rows}
        usable = await _usable_banks(caller, session_unit_path, set(found.values()))
        for index, question_id in enumerate(selection):
            if found.get(question_id) not in usable:
                errors.append({"field": f"selection[{index}]", "message": "soal tidak ditemukan"})
    if errors:
        raise RuleViolation("Pilihan soal kuis tidak dapat dipakai.", errors=errors)


async def draw(selection: Selection, session_unit_path: str, seed: str, shuffle: bool) -> list[str]:
    """The question ids of one attempt, in the order it shows them.

    Raises:
        RuleViolation: the quiz has no questions, or a category no longer has enough.
    """
    rng = random.Random(seed)
    if isinstance(selection, RandomSelection):
        chosen: list[UUID] = []
        for rule in selection.random:
            pool = [q for q in await _pool(rule, session_unit_path) if q not in chosen]
            if len(pool) < rule.count:
                raise RuleViolation(
                    f"Bank soal kategori '{rule.category}' tidak lagi memiliki {rule.count} "
                    "soal; hubungi penyelenggara."
                )
            chosen.extend(rng.sample(pool, rule.count))
    else:
        chosen = list(selection)
    if not chosen:
        raise RuleViolation("Kuis ini belum memiliki soal.")
    if shuffle:
        rng.shuffle(chosen)
    return [str(question_id) for question_id in chosen]
