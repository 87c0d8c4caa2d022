"""Seed a database for a quiz run against a real server process: a unit, a running session,
N confirmed participants with logins, the Indonesian bank and a post-test.

Used by the kill test and by ``tests/benchmarks/bench_quiz.py``, which run it in a subprocess
against their own database (``LMS_DATABASE_URL``)::

    python -m tests.courses.builders.quiz_world --participants 500 --questions 20

It prints one JSON object: the quiz ids (``--quizzes``, default 1, all on the same questions),
every participant's username and bearer token, the password they share, and a right answer
for every question.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import msgspec

BANK_FILE = (
    Path(__file__).resolve().parents[3]
    / "courses"
    / "assessments"
    / "demo_data"
    / "bank_soal_pelayanan_prima.gift"
)
PASSWORD = "peserta-uji-2026"


def right_response(question: Any) -> dict[str, Any]:
    """A full-marks response to a stored (typed) question."""
    from courses.assessments.questions.model import question_type

    kind = question_type(question)
    if kind == "single_choice":
        best = max(question.options, key=lambda o: o.weight)
        return {"type": kind, "option_id": best.id}
    if kind == "multiple_choice":
        return {"type": kind, "option_ids": [o.id for o in question.options if o.weight > 0]}
    if kind == "true_false":
        return {"type": kind, "value": question.correct}
    if kind == "short_answer":
        return {"type": kind, "text": max(question.answers, key=lambda a: a.weight).text}
    if kind == "numerical":
        best = max(question.answers, key=lambda a: a.weight)
        value = best.value if best.value is not None else best.minimum
        return {"type": kind, "value": str(value)}
    if kind == "matching":
        return {"type": kind, "matches": {i.id: i.choice_id for i in question.items}}
    return {"type": "essay", "text": "Melayani dengan sepenuh hati."}


async def seed(participants: int, questions: int, quizzes: int = 1) -> dict[str, Any]:
    """Insert the rows (the engine must be bound and started): ``quizzes`` quizzes on the same
    questions, the first a post-test, so one seeded database serves several runs."""
    from courses.assessments.questions import store as question_store
    from courses.assessments.questions.gift import parse_gift
    from courses.assessments.questions.model import question_type
    from courses.tables import Course, CourseSession, Enrollment, Question, QuestionBank, Quiz
    from lms.auth.passwords import hash_password
    from lms.auth.tables import User
    from lms.auth.tokens import make_jwt_auth
    from lms.config import get_settings
    from lms.people.tables import Person, Unit

    now = dt.datetime.now(dt.UTC)
    jwt_auth = make_jwt_auth(get_settings())
    unit_id = uuid4()
    await Unit.insert(
        Unit(
            id=unit_id,
            code="DPMPTSP-UJI",
            name="DPMPTSP Uji",
            kind="opd",
            path=f"/{unit_id}/",
            city="Padang Panjang",
            timezone="Asia/Jakarta",
            created_at=now,
        )
    )
    course_id, session_id = uuid4(), uuid4()
    await Course.insert(
        Course(
            id=course_id,
            code="PP-UJI",
            title="Pelatihan Pelayanan Prima",
            unit=unit_id,
            pass_mark=Decimal("70"),
            min_attendance=Decimal("80"),
            created_at=now,
            updated_at=now,
        )
    )
    today = now.date()
    await CourseSession.insert(
        CourseSession(
            id=session_id,
            course=course_id,
            unit=unit_id,
            name="Angkatan Uji",
            start_date=today,
            end_date=today,
            timezone="Asia/Jakarta",
            capacity=participants,
            status="running",
            confirmed_count=participants,
            enrollment_seq=participants,
            created_at=now,
            updated_at=now,
        )
    )
    password_hash = hash_password(PASSWORD)
    people, users, enrollments, accounts = [], [], [], []
    for n in range(participants):
        person_id, user_id = uuid4(), uuid4()
        people.append(
            Person(
                id=person_id,
                nip=None,
                name=f"Peserta Uji {n + 1:04d}",
                asn_type="pns",
                unit=unit_id,
                created_at=now,
                updated_at=now,
            )
        )
        username = f"peserta{n + 1:04d}"
        users.append(
            User(
                id=user_id,
                username=username,
                password_hash=password_hash,
                role="participant",
                person=person_id,
                unit=unit_id,
                active=True,
                created_at=now,
            )
        )
        enrollments.append(
            Enrollment(
                id=uuid4(),
                session=session_id,
                person=person_id,
                status="confirmed",
                seq=n + 1,
                enrolled_at=now,
                updated_at=now,
                natural_key=f"{session_id}:{person_id}",
            )
        )
        token = jwt_auth.create_token(
            identifier=str(user_id), token_expiration=dt.timedelta(hours=6)
        )
        accounts.append({"username": username, "token": token})
    for rows, table in ((people, Person), (users, User), (enrollments, Enrollment)):
        for start in range(0, len(rows), 200):
            await table.insert(*rows[start : start + 200])
    bank_id = uuid4()
    await QuestionBank.insert(
        QuestionBank(id=bank_id, name="Bank Soal Pelayanan Prima", unit=unit_id, created_at=now)
    )
    parsed = parse_gift(BANK_FILE.read_bytes())
    gradable = [
        p.question
        for p in parsed.questions
        if question_type(p.question) not in ("essay", "description")
    ]
    rows = [
        question_store.new_row(bank_id, question, now + dt.timedelta(microseconds=i))
        for i, question in enumerate(gradable)
    ]
    await Question.insert(*rows)
    chosen = rows[:questions]
    quiz_ids = [uuid4() for _ in range(quizzes)]
    await Quiz.insert(
        *(
            Quiz(
                id=quiz_id,
                session=session_id,
                kind="post_test" if n == 0 else "quiz",
                title="Post-test" if n == 0 else f"Kuis {n}",
                selection=json.dumps({"question_ids": [str(r.id) for r in chosen]}),
                time_limit_minutes=120,
                attempts_allowed=1,
                grading_method="highest",
                pass_mark=Decimal("70"),
                review=json.dumps({"after_submit": "score"}),
                created_at=now,
            )
            for n, quiz_id in enumerate(quiz_ids)
        )
    )
    answers = {str(row.id): right_response(question_store.decode(row.payload)) for row in chosen}
    return {
        "quiz_id": str(quiz_ids[0]),
        "quiz_ids": [str(quiz_id) for quiz_id in quiz_ids],
        "session_id": str(session_id),
        "password": PASSWORD,
        "participants": accounts,
        "answers": answers,
    }


async def _main(participants: int, questions: int, quizzes: int) -> dict[str, Any]:
    from lms.app import bind_engine
    from lms.config import get_settings
    from lms.db import make_engine, start_engine, stop_engine

    engine = make_engine(get_settings().database_url)
    bind_engine(engine)
    await start_engine(engine)
    try:
        return await seed(participants, questions, quizzes)
    finally:
        await stop_engine(engine)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--quizzes", type=int, default=1)
    args = parser.parse_args(argv)
    world = asyncio.run(_main(args.participants, args.questions, args.quizzes))
    sys.stdout.write(msgspec.json.encode(world).decode() + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
