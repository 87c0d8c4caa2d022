"""Question banks: create, import GIFT/Aiken, add by hand, list with answers, export.

Scope: a bank belongs to a unit. Organizers (and admins) manage the banks of their unit and
below; trainers of a unit read its banks (they grade and discuss the questions). Anyone else
gets a 404. The answer keys these routes show never travel to participants: attempts build
their payload from ``questions.participant_view`` only.

Import keeps every question it can read and reports the rest by line, as the readers do; the
questions of one import are stored in one transaction, in file order (each ``created_at`` is a
microsecond after the previous one, so listing and export keep the file's order).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from uuid import UUID, uuid4

import anyio.to_thread
import msgspec
from piccolo.query.functions.aggregate import Count

from courses.assessments.questions import store as question_store
from courses.assessments.questions.aiken import to_aiken
from courses.assessments.questions.authoring import category_path, parse_category
from courses.assessments.questions.files import read_question_file
from courses.assessments.questions.gift import to_gift
from courses.assessments.questions.import_result import ImportResult
from courses.assessments.questions.inputs import QuestionInput, build_question
from courses.assessments.questions.schemas import (
    BankCreate,
    BankRead,
    ImportIssueRead,
    ImportReport,
    QuestionRead,
)
from courses.tables import Question as QuestionRow
from courses.tables import QuestionBank
from lms.audit import services as audit
from lms.auth.caller import Caller
from lms.people.database import starts_with
from lms.people.tables import Unit
from lms.shared.errors import BadRequest, NotFound, PayloadTooLarge, RuleViolation
from lms.shared.schemas import Page
from lms.shared.validation import error_text
from lms.shared.values import cents, utcnow

BANK_NOT_FOUND = "Bank soal tidak ditemukan."
MAX_IMPORT_QUESTIONS = 5_000
_INSERT_CHUNK = 200


def reads_bank(caller: Caller, unit_path: str) -> bool:
    """Admins and organizers of the bank's unit (or above) read it; so do its unit's trainers."""
    if caller.role == "trainer":
        return bool(caller.unit_path) and unit_path.startswith(caller.unit_path)
    return caller.role in ("admin", "organizer") and caller.sees_unit(unit_path)


def manages_bank(caller: Caller, unit_path: str) -> bool:
    """Admins and organizers of the bank's unit (or above) change it."""
    return caller.role in ("admin", "organizer") and caller.sees_unit(unit_path)


class BankService:
    """Question banks and their questions."""

    def __init__(self, max_upload_bytes: int = 10 * 1024 * 1024) -> None:
        self.max_upload_bytes = max_upload_bytes

    # -- banks ---------------------------------------------------------------------------------

    async def _bank(self, caller: Caller, bank_id: UUID, *, manage: bool) -> dict[str, Any]:
        row = await (
            QuestionBank.select(
                *QuestionBank.all_columns(), QuestionBank.unit.path.as_alias("unit_path")
            )
            .where(QuestionBank.id == bank_id)
            .first()
        )
        allowed = manages_bank if manage else reads_bank
        if row is None or not allowed(caller, row["unit_path"] or ""):
            raise NotFound(BANK_NOT_FOUND)
        return row

    async def _read(self, rows: list[dict[str, Any]]) -> list[BankRead]:
        ids = [row["id"] for row in rows]
        counts: dict[UUID, int] = {}
        categories: dict[UUID, list[str]] = {bank_id: [] for bank_id in ids}
        if ids:
            for row in (
                await QuestionRow.select(QuestionRow.bank, Count(QuestionRow.id, alias="n"))
                .where(QuestionRow.bank.is_in(ids))
                .group_by(QuestionRow.bank)
            ):
                counts[row["bank"]] = row["n"]
            for row in (
                await QuestionRow.select(QuestionRow.bank, QuestionRow.category)
                .where(QuestionRow.bank.is_in(ids))
                .distinct()
                .order_by(QuestionRow.category)
            ):
                if row["category"]:
                    categories[row["bank"]].append(row["category"])
        return [
            BankRead(
                id=row["id"],
                name=row["name"],
                description=row["description"],
                unit_id=row["unit"],
                question_count=counts.get(row["id"], 0),
                categories=categories[row["id"]],
                created_at=row["created_at"],
            )
            for row in rows
        ]

    async def list(self, caller: Caller, *, limit: int, offset: int) -> Page[BankRead]:
        """Banks the caller may read, by name."""
        query = QuestionBank.select(*QuestionBank.all_columns()).order_by(QuestionBank.name)
        count = QuestionBank.count()
        if not caller.is_admin:
            if caller.role not in ("organizer", "trainer") or not caller.unit_path:
                return Page(items=[], total=0)
            where = QuestionBank.unit.path.like(caller.unit_path + "%")
            query = query.where(where)
            count = count.where(where)
        rows = await query.limit(limit).offset(offset)
        return Page(items=await self._read(rows), total=await count)

    async def create(self, caller: Caller, data: BankCreate) -> BankRead:
        """A new, empty bank of a unit the caller manages (their own by default)."""
        unit_id = data.unit_id or caller.unit_id
        unit = None
        if unit_id is not None:
            unit = await Unit.select(Unit.id, Unit.path).where(Unit.id == unit_id).first()
        if unit is None or not manages_bank(caller, unit["path"]):
            raise RuleViolation(
                "Unit pemilik bank soal tidak ditemukan atau di luar wewenang Anda.",
                errors=[{"field": "unit_id", "message": "unit tidak dikenal"}],
            )
        bank_id = uuid4()
        async with QuestionBank._meta.db.transaction():
            await QuestionBank.insert(
                QuestionBank(
                    id=bank_id,
                    name=data.name.strip(),
                    description=data.description.strip(),
                    unit=unit_id,
                    created_at=utcnow(),
                )
            )
            await audit.record(caller, "question_bank.create", "question_bank", bank_id, data.name)
        return await self.get(caller, bank_id)

    async def get(self, caller: Caller, bank_id: UUID) -> BankRead:
        """One bank the caller may read."""
        return (await self._read([await self._bank(caller, bank_id, manage=False)]))[0]

    # -- import and export ---------------------------------------------------------------------

    async def import_file(
        self,
        caller: Caller,
        bank_id: UUID,
        source: str | bytes,
        fmt: str | None,
        filename: str = "",
    ) -> ImportReport:
        """Read a GIFT or Aiken file (off the event loop) and store what it holds.

        Raises:
            NotFound: a bank the caller does not manage.
            PayloadTooLarge / BadRequest: see ``question_files.read_question_file``.
        """
        await self._bank(caller, bank_id, manage=True)
        parsed = await anyio.to_thread.run_sync(
            read_question_file, source, fmt, filename, self.max_upload_bytes
        )
        return await self.import_questions(caller, bank_id, parsed)

    async def import_questions(
        self, caller: Caller, bank_id: UUID, parsed: ImportResult
    ) -> ImportReport:
        """Store every question read from a file; report the others with their lines."""
        bank = await self._bank(caller, bank_id, manage=True)
        questions = [item.question for item in parsed.questions]
        if len(questions) > MAX_IMPORT_QUESTIONS:
            raise PayloadTooLarge(
                f"Berkas berisi {len(questions)} soal; paling banyak {MAX_IMPORT_QUESTIONS} "
                "soal per impor."
            )
        now = utcnow()
        rows = [
            question_store.new_row(bank["id"], question, now + dt.timedelta(microseconds=index))
            for index, question in enumerate(questions)
        ]
        by_type = dict(Counter(row.type for row in rows))
        async with QuestionBank._meta.db.transaction():
            for start in range(0, len(rows), _INSERT_CHUNK):
                await QuestionRow.insert(*rows[start : start + _INSERT_CHUNK])
            await audit.record(
                caller,
                "question_bank.import",
                "question_bank",
                bank["id"],
                f"{len(rows)} soal diimpor, {len(parsed.errors)} gagal",
                {"imported": len(rows), "by_type": by_type, "errors": len(parsed.errors)},
            )
        return ImportReport(
            imported=len(rows),
            by_type=by_type,
            errors=[
                ImportIssueRead(line=e.line, message=e.message, snippet=e.snippet)
                for e in parsed.errors
            ],
        )

    async def export(self, caller: Caller, bank_id: UUID, fmt: str) -> str:
        """The bank as a GIFT (every type) or Aiken (single choice only) file.

        Raises:
            RuleViolation: a question the format cannot hold (the message names it).
        """
        bank = await self._bank(caller, bank_id, manage=False)
        rows = (
            await QuestionRow.select(QuestionRow.payload)
            .where(QuestionRow.bank == bank["id"])
            .order_by(QuestionRow.category)
            .order_by(QuestionRow.created_at)
        )
        questions = [question_store.decode(row["payload"]) for row in rows]
        try:
            return to_gift(questions) if fmt == "gift" else to_aiken(questions)
        except ValueError as exc:
            raise RuleViolation(str(exc)) from None

    # -- questions -----------------------------------------------------------------------------

    async def list_questions(
        self,
        caller: Caller,
        bank_id: UUID,
        *,
        limit: int,
        offset: int,
        category: str | None = None,
        type_: str | None = None,
    ) -> Page[QuestionRead]:
        """Questions with their answer keys, by category and file order; ``category`` also
        matches its subcategories."""
        bank = await self._bank(caller, bank_id, manage=False)
        where = QuestionRow.bank == bank["id"]
        # A NUL cannot match anything and PostgreSQL refuses it in a parameter.
        category = (category or "").replace("\x00", "")
        type_ = (type_ or "").replace("\x00", "")
        if category:
            path = category_path(parse_category(category))
            where = where & (
                (QuestionRow.category == path) | starts_with(QuestionRow.category, path + "/")
            )
        if type_:
            where = where & (QuestionRow.type == type_)
        rows = await (
            QuestionRow.select(*QuestionRow.all_columns())
            .where(where)
            .order_by(QuestionRow.category)
            .order_by(QuestionRow.created_at)
            .limit(limit)
            .offset(offset)
        )
        total = await QuestionRow.count().where(where)
        return Page(items=[question_read(row) for row in rows], total=total)

    async def add_question(
        self, caller: Caller, bank_id: UUID, data: QuestionInput
    ) -> QuestionRead:
        """Store one question written by hand.

        Raises:
            BadRequest: the question breaks a rule of its type (Indonesian message).
        """
        bank = await self._bank(caller, bank_id, manage=True)
        try:
            question = build_question(data)
        except (ValueError, msgspec.ValidationError) as exc:
            message = error_text(exc)
            raise BadRequest(message, errors=[{"field": "question", "message": message}]) from None
        if "\\u0000" in question_store.encode(question):
            raise BadRequest(
                "Teks soal tidak boleh memuat karakter NUL.",
                errors=[{"field": "question", "message": "karakter NUL"}],
            )
        row = question_store.new_row(bank["id"], question, utcnow())
        async with QuestionBank._meta.db.transaction():
            await QuestionRow.insert(row)
            await audit.record(
                caller, "question.create", "question", row.id, question.title, {"bank": bank_id}
            )
        stored = (
            await QuestionRow.select(*QuestionRow.all_columns())
            .where(QuestionRow.id == row.id)
            .first()
        )
        assert stored is not None
        return question_read(stored)


def question_read(row: dict[str, Any]) -> QuestionRead:
    """A question row as the organizer's view, answer key included."""
    return QuestionRead(
        id=row["id"],
        bank_id=row["bank"],
        category=row["category"],
        type=row["type"],
        title=row["title"],
        text=row["text"],
        points=cents(row["points"]),
        competency_code=row["competency_code"],
        version=row["version"],
        active=row["active"],
        created_at=row["created_at"],
        question=question_store.decode(row["payload"]),
    )
