"""One form for times and numbers across the API, checked on everything a finished chain
answers.

A session goes from enrollment to revoked certificate through the API (agenda, attendance,
pre- and post-test, an evaluation, component scores, finalize, issuance, a revocation, an
external learning record); every JSON body the client saw on the way is kept, then every
``GET`` operation of the OpenAPI document is called with the ids the chain made. In all of
them:

- a timestamp is RFC 3339 in UTC with ``Z`` (``2026-11-18T01:00:00Z``); the session's wall
  clock, where people read it, is a separate ``*_local`` field without an offset
  (``2026-11-18T08:00:00``);
- a JP figure, score, mean, percentage or IKM is a decimal string with exactly two decimals
  (``"24.00"``, ``"86.50"``), never a JSON number; ratios in 0..1 (normalized gain, item
  statistics) and the 1–4 means of SKM (NRR, SKM) have four (``"0.3750"``, ``"3.0889"``).
  A certificate's ``snapshot`` is its record as printed, returned verbatim, and not checked.

The issue this answers saw ``+00:00`` next to ``+07:00`` and JP as ``"4.00"``, ``24`` and
``24,00`` in one walkthrough.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import httpx

from tests.certificates.builders.issuing import issue_and_wait, set_profile
from tests.courses.builders.results import (
    mark_attendance,
    pre_post_world,
    set_scores,
)

DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(?P<offset>Z|[+-]\d{2}:?\d{2})?$"
)
UTC_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
TWO_DECIMALS = re.compile(r"^-?\d+\.\d{2}$")
FOUR_DECIMALS = re.compile(r"^-?\d+\.\d{4}$")
#: Ratios in 0..1 (normalized gain, item statistics) and 1–4 means (NRR, SKM): four decimals.
RATIO = re.compile(
    r"(normalized_gain|difficulty|discrimination|point_biserial)$|(^|_)(nrr|skm)(_|$)"
)

#: Field names that hold a JP figure, a score, a mean, a percentage or an IKM.
FIGURE = re.compile(
    r"(^|_)(jp|score|scores|mean|median|gain|percent|ikm|mark|points|weight)(_|$)|"
    r"^(final_score|pass_mark|min_attendance|min_score|points_awarded|score_given|u6_ikm|u7_ikm)$"
)
#: Not figures although the name says so: counts, flags, texts, codes.
NOT_FIGURE = re.compile(
    r"(_count|_days|_mismatch|_label|_text|_note|_code|_codes|_id|_ids|_at|_on|_elements)$|"
    r"^(marks|mark_letters|jp_minutes|weights|scores|has_gradebook)$"
)


def _is_figure(key: str) -> bool:
    return bool(FIGURE.search(key)) and not NOT_FIGURE.search(key)


def _is_ratio(key: str) -> bool:
    return bool(RATIO.search(key)) and not NOT_FIGURE.search(key)


def _walk(value: Any, where: str, key: str, problems: list[str]) -> None:
    if key == "snapshot":
        return  # a certificate's record as printed, returned verbatim (documented)
    if isinstance(value, dict):
        for k, v in value.items():
            # A dict keyed by names (weights, component scores) holds figures under its name.
            inner = key if _is_figure(key) and not isinstance(v, dict | list) else str(k)
            _walk(v, f"{where}.{k}", inner, problems)
        return
    if isinstance(value, list):
        for n, v in enumerate(value):
            _walk(v, f"{where}[{n}]", key, problems)
        return
    if isinstance(value, str):
        match = DATETIME.match(value)
        if match:
            if key.endswith("_local"):
                if not LOCAL.match(value):
                    problems.append(f"{where}: local time {value!r} is not YYYY-MM-DDTHH:MM:SS")
            elif not UTC_Z.match(value):
                problems.append(f"{where}: timestamp {value!r} is not RFC 3339 UTC with Z")
            return
    if value is None or isinstance(value, bool):
        return
    if _is_ratio(key):
        if not (isinstance(value, str) and FOUR_DECIMALS.match(value)):
            problems.append(f"{where}: figure {value!r} is not a four-decimal string")
    elif _is_figure(key) and not (isinstance(value, str) and TWO_DECIMALS.match(value)):
        problems.append(f"{where}: figure {value!r} is not a two-decimal string")


def _schema_problems(schema: Any, where: str, problems: list[str]) -> None:
    """Every documented response property that holds a figure is a string (not a number)."""
    if isinstance(schema, dict):
        for name, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, dict) and (_is_figure(name) or _is_ratio(name)):
                types = [prop.get("type")] + [
                    alt.get("type") for alt in prop.get("oneOf", []) + prop.get("anyOf", [])
                ]
                flat = {t for ty in types for t in (ty if isinstance(ty, list) else [ty]) if t}
                if flat & {"number", "integer"} or "string" not in flat:
                    problems.append(f"{where}.{name}: documented as {sorted(flat)}")
        for key, value in schema.items():
            _schema_problems(value, f"{where}.{key}" if key != "properties" else where, problems)
    elif isinstance(schema, list):
        for value in schema:
            _schema_problems(value, where, problems)


def _fill(path: str, ids: dict[str, str]) -> str | None:
    names = re.findall(r"{(\w+)}", path)
    if any(name not in ids for name in names):
        return None
    for name in names:
        path = path.replace(f"{{{name}}}", ids[name])
    return path


async def test_every_answer_of_a_finished_chain_has_utc_times_and_two_decimal_figures(
    app, client, admin, organizer, hr, unit, trainer_user
):
    seen: list[tuple[str, Any]] = []

    async def keep(response: httpx.Response) -> None:
        if response.headers.get("content-type", "").split(";")[0] in (
            "application/json",
            "application/problem+json",
        ):
            await response.aread()
            seen.append((f"{response.request.method} {response.request.url.path}", response.json()))

    client.event_hooks["response"].append(keep)
    world = await pre_post_world(app, client, organizer, unit, trainer_user)
    sid = world.session_id
    for person in world.people:
        await mark_attendance(client, organizer, world, person, 3)
    assert (
        await set_scores(client, organizer, world, [(p, 85) for p in world.people])
    ).status_code == 200
    code = await client.get(f"/api/v1/sessions/{sid}/check-in-code", headers=organizer.headers)
    assert code.status_code == 200, code.text
    form = (
        await client.get(f"/api/v1/sessions/{sid}/evaluation-form", headers=world.people[0].headers)
    ).json()
    answers = {item["code"]: 4 for item in form["organization_items"]}
    sent = await client.post(
        f"/api/v1/sessions/{sid}/evaluations",
        json={"target": "organization", "answers": answers, "comment": "Baik"},
        headers=world.people[0].headers,
    )
    assert sent.status_code == 201, sent.text
    readiness = (
        await client.get(f"/api/v1/sessions/{sid}/results/readiness", headers=organizer.headers)
    ).json()
    excused = [
        {"person_id": p["person_id"], "reason": "Tugas dinas luar kota"}
        for check in readiness["checks"]
        if check["code"] == "post_tests"
        for p in check["people"]
    ]
    done = await client.post(
        f"/api/v1/sessions/{sid}/results/finalize",
        json={"excused": excused},
        headers=organizer.headers,
    )
    assert done.status_code == 200, done.text
    await set_profile(client, organizer)
    job = await issue_and_wait(client, organizer, UUID(sid))
    assert job["status"] == "succeeded", job
    certificates = (
        await client.get(
            "/api/v1/certificates", params={"session_id": sid}, headers=organizer.headers
        )
    ).json()["items"]
    assert certificates
    revoked = await client.post(
        f"/api/v1/certificates/{certificates[0]['id']}/revoke",
        json={"category": "salah_data", "reason": "NIP salah ketik"},
        headers=organizer.headers,
    )
    assert revoked.status_code == 200, revoked.text
    holder = next(p for p in world.people if str(p.person_id) != certificates[0]["person_id"])
    record = await client.post(
        f"/api/v1/people/{holder.person_id}/learning-records",
        json={
            "title": "Seminar Pelayanan Publik",
            "organizer": "Universitas Andalas",
            "jenis_diklat": 9,
            "start_date": "2026-04-01",
            "end_date": "2026-04-01",
            "jp": 10,
        },
        headers=hr.headers,
    )
    assert record.status_code == 201, record.text
    quizzes = list(world.quizzes.values())
    attempts = [
        body["id"]
        for line, body in seen
        if line.startswith("POST /api/v1/quizzes/") and isinstance(body, dict) and "id" in body
    ]
    ids = {
        "session_id": sid,
        "course_id": world.course["id"],
        "quiz_id": quizzes[-1],
        "attempt_id": attempts[0],
        "certificate_id": certificates[1]["id"] if len(certificates) > 1 else certificates[0]["id"],
        "person_id": str(holder.person_id),
        "unit_id": str(unit["id"]),
        "trainer_id": world.trainer["id"],
        "job_id": str(job["id"]),
        "code": certificates[0]["code"],
        "user_id": str(organizer.user_id),
        "record_id": record.json()["id"],
    }
    document = (await client.get("/schema/openapi.json")).json()
    documented: list[str] = []
    _schema_problems(document["components"]["schemas"], "#", documented)
    assert documented == [], "\n".join(documented)
    called = 0
    for path, operations in document["paths"].items():
        if "get" not in operations or not path.startswith("/api/"):
            continue
        url = _fill(path, ids)
        if url is None:
            continue
        own = "/me" in path or path.endswith("/mine") or "{attempt_id}" in path
        for actor in (admin, trainer_user, holder) if own else (admin,):
            resp = await client.get(url, headers=actor.headers)
            assert resp.status_code < 500, (url, resp.text)
            called += resp.status_code == 200
    assert called > 45

    problems: list[str] = []
    for line, body in seen:
        _walk(body, line, "", problems)
    # One line per field and route: ids and list positions folded away.
    folded = [
        re.sub(r"\[\d+\]", "[]", re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", p)) for p in problems
    ]
    by_field = {re.sub(r": (timestamp|figure|local time) .*", "", p): p for p in folded}
    assert not by_field, "\n".join(sorted(by_field.values()))
