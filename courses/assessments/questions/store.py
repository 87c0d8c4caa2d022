"""Questions as rows: the encoded payload in, the typed question out.

The ``bank_question`` row copies what lists and filters need (category path, type, title,
text, points, competency) into columns and keeps the whole question, answer key included, in
``payload`` as msgspec JSON. Decimals inside stay strings, so nothing drifts through a float.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec

from courses.assessments.questions.authoring import category_path
from courses.assessments.questions.model import Question, question_type
from courses.tables import Question as QuestionRow
from lms.db import fetch_sql
from lms.shared.values import cents

_decoder = msgspec.json.Decoder(Question)


def encode(question: Question) -> str:
    """The payload column's text for ``question``."""
    return msgspec.json.encode(question).decode()


@functools.lru_cache(maxsize=4096)
def _decode_cached(payload: str) -> Question:
    return _decoder.decode(payload)


def decode(payload: str | bytes | dict[str, Any]) -> Question:
    """The typed question from a payload column (text on SQLite and PostgreSQL alike).

    Questions are values (frozen Structs), so decoded ones are cached by their text: an
    autosave re-reads the same question many times.
    """
    if isinstance(payload, dict):
        return msgspec.convert(payload, Question)
    if isinstance(payload, bytes):
        payload = payload.decode()
    return _decode_cached(payload)


def new_row(bank_id: UUID, question: Question, now: dt.datetime) -> QuestionRow:
    """A new row for ``question`` in the bank ``bank_id``."""
    return QuestionRow(
        id=uuid4(),
        bank=bank_id,
        category=category_path(question.category),
        type=question_type(question),
        title=question.title,
        text=question.text,
        payload=encode(question),
        points=question.points,
        competency_code=question.competency_code or "",
        version=1,
        active=True,
        created_at=now,
    )


class StoredQuestion(msgspec.Struct, frozen=True, kw_only=True):
    """A question loaded for an attempt: its id, its points and the typed question."""

    id: UUID
    points: Decimal
    question: Question

    @property
    def type(self) -> str:
        """The question's type tag."""
        return question_type(self.question)


async def load_questions(ids: Iterable[UUID | str]) -> dict[UUID, StoredQuestion]:
    """The questions with these ids (unknown ids are simply absent)."""
    wanted = [UUID(str(i)) for i in ids]
    if not wanted:
        return {}
    # Plain SQL: every quiz start and submit loads its questions.
    placeholders = ", ".join("{}" for _ in wanted)
    rows = await fetch_sql(
        QuestionRow,
        f"SELECT id, points, payload FROM bank_question WHERE id IN ({placeholders})",
        *wanted,
    )
    return {
        _as_uuid(row["id"]): StoredQuestion(
            id=_as_uuid(row["id"]), points=cents(row["points"]), question=decode(row["payload"])
        )
        for row in rows
    }


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)


async def load_question(question_id: UUID) -> StoredQuestion | None:
    """One question, or ``None``."""
    row = await (
        QuestionRow.select(QuestionRow.id, QuestionRow.points, QuestionRow.payload)
        .where(QuestionRow.id == question_id)
        .first()
    )
    if row is None:
        return None
    return StoredQuestion(
        id=row["id"], points=cents(row["points"]), question=decode(row["payload"])
    )
