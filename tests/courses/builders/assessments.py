"""Builders for assessment tests: a bank with the Indonesian questions, a session with
confirmed participants, quizzes, and right (or wrong) answers to any question type."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from tests.conftest import SHARED_DATA
from tests.courses.builders.delivery import create_session, enroll
from tests.factories import Actor

BANK_FILE = SHARED_DATA / "bank_soal_pelayanan_prima.gift"
MOODLE_FILE = SHARED_DATA / "moodle_gift_examples.txt"


@dataclass
class World:
    """What most attempt tests start from."""

    organizer: Actor
    session: dict
    bank_id: str
    questions: list[dict]
    participants: list[Actor] = field(default_factory=list)

    def by_title(self, title: str) -> dict:
        """The bank question with this title."""
        return next(q for q in self.questions if q["title"] == title)

    def ids(self, *, types: tuple[str, ...] | None = None) -> list[str]:
        """Ids of the bank's questions (optionally of some types), in file order."""
        return [q["id"] for q in self.questions if types is None or q["type"] in types]


async def create_bank(client: httpx.AsyncClient, organizer: Actor, name: str = "Bank PP") -> dict:
    resp = await client.post(
        "/api/v1/question-banks", json={"name": name}, headers=organizer.headers
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def import_text(
    client: httpx.AsyncClient, organizer: Actor, bank_id: str, text: str, fmt: str = "gift"
) -> dict:
    resp = await client.post(
        f"/api/v1/question-banks/{bank_id}/import",
        json={"format": fmt, "text": text},
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


async def bank_questions(client: httpx.AsyncClient, actor: Actor, bank_id: str) -> list[dict]:
    resp = await client.get(
        f"/api/v1/question-banks/{bank_id}/questions?limit=200", headers=actor.headers
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


async def build_world(
    client: httpx.AsyncClient, organizer: Actor, participants: list[Actor], **session: Any
) -> World:
    """An open session with ``participants`` confirmed and the Indonesian bank imported."""
    created = await create_session(client, organizer, status="open", **session)
    if participants:
        await enroll(client, organizer, created["id"], [p.person_id for p in participants])
    bank = await create_bank(client, organizer)
    await import_text(client, organizer, bank["id"], BANK_FILE.read_text(encoding="utf-8"))
    return World(
        organizer=organizer,
        session=created,
        bank_id=bank["id"],
        questions=await bank_questions(client, organizer, bank["id"]),
        participants=participants,
    )


async def create_quiz(
    client: httpx.AsyncClient, organizer: Actor, session_id: str, **body: Any
) -> dict:
    body.setdefault("kind", "quiz")
    resp = await client.post(
        f"/api/v1/sessions/{session_id}/quizzes", json=body, headers=organizer.headers
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def start(client: httpx.AsyncClient, actor: Actor, quiz_id: str) -> httpx.Response:
    return await client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=actor.headers)


async def save(
    client: httpx.AsyncClient, actor: Actor, attempt_id: str, question_id: str, body: dict
) -> httpx.Response:
    return await client.put(
        f"/api/v1/attempts/{attempt_id}/answers/{question_id}", json=body, headers=actor.headers
    )


async def submit(client: httpx.AsyncClient, actor: Actor, attempt_id: str) -> httpx.Response:
    return await client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=actor.headers)


def right_answer(question: dict) -> dict:
    """A response worth full marks to a bank question (organizer view, with its key)."""
    q = question["question"]
    kind = q["type"]
    if kind == "single_choice":
        best = max(q["options"], key=lambda o: Decimal(o["weight"]))
        return {"type": kind, "option_id": best["id"]}
    if kind == "multiple_choice":
        ids = [o["id"] for o in q["options"] if Decimal(o["weight"]) > 0]
        return {"type": kind, "option_ids": ids}
    if kind == "true_false":
        return {"type": kind, "value": q["correct"]}
    if kind == "short_answer":
        best = max(q["answers"], key=lambda a: Decimal(a["weight"]))
        return {"type": kind, "text": best["text"].upper()}
    if kind == "numerical":
        best = max(q["answers"], key=lambda a: Decimal(a["weight"]))
        value = best["value"] if best.get("value") is not None else best["minimum"]
        return {"type": kind, "value": str(value)}
    if kind == "matching":
        return {"type": kind, "matches": {i["id"]: i["choice_id"] for i in q["items"]}}
    if kind == "essay":
        return {"type": kind, "text": "Pelayanan prima dimulai dari sikap melayani."}
    raise AssertionError(kind)


def wrong_answer(question: dict) -> dict:
    """A response worth nothing to a bank question."""
    q = question["question"]
    kind = q["type"]
    if kind == "single_choice":
        worst = min(q["options"], key=lambda o: Decimal(o["weight"]))
        return {"type": kind, "option_id": worst["id"]}
    if kind == "multiple_choice":
        ids = [o["id"] for o in q["options"] if Decimal(o["weight"]) < 0]
        return {"type": kind, "option_ids": ids}
    if kind == "true_false":
        return {"type": kind, "value": not q["correct"]}
    if kind == "short_answer":
        return {"type": kind, "text": "jawaban keliru"}
    if kind == "numerical":
        return {"type": kind, "value": "-12345"}
    if kind == "matching":
        return {"type": kind, "matches": {}}
    if kind == "essay":
        return {"type": kind, "text": ""}
    raise AssertionError(kind)


def any_answer(view: dict) -> dict:
    """A well-formed answer to a question as a participant sees it (right or not)."""
    kind = view["type"]
    if kind == "single_choice":
        return {"type": kind, "option_id": view["options"][0]["id"]}
    if kind == "multiple_choice":
        return {"type": kind, "option_ids": [view["options"][0]["id"]]}
    if kind == "true_false":
        return {"type": kind, "value": True}
    if kind == "numerical":
        return {"type": kind, "value": "9"}
    if kind == "matching":
        return {"type": kind, "matches": {view["items"][0]["id"]: view["choices"][0]["id"]}}
    return {"type": kind, "text": "melayani"}
