"""The course catalogue: modules and JP, pass rules, weights, predikat bands, scope, versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from uuid import UUID

import msgspec

from tests.courses.builders.delivery import course_body, create_course, create_session


async def test_organizer_creates_course_with_modules_jp_and_default_bands(client, organizer, unit):
    resp = await client.post(
        "/api/v1/courses",
        json=course_body(code="PP-2026", validity_months=36, training_type="klasikal"),
        headers=organizer.headers,
    )
    assert resp.status_code == 201, resp.text
    course = resp.json()
    assert course["code"] == "PP-2026"
    assert course["unit_id"] == str(unit["id"])
    assert course["unit_name"] == "DPMPTSP Kota Padang Panjang"
    assert course["total_jp"] == "24.00"
    assert [(m["position"], m["title"], m["jp"]) for m in course["modules"]] == [
        (1, "Konsep Pelayanan Prima", "6.00"),
        (2, "Standar Pelayanan dan Maklumat", "6.00"),
        (3, "Komunikasi dan Etika Pelayanan", "6.00"),
        (4, "Penanganan Pengaduan", "6.00"),
    ]
    assert course["weights"] == {
        "attendance": "10.00",
        "post_test": "60.00",
        "trainer_assessment": "30.00",
    }
    assert (course["pass_mark"], course["min_attendance"]) == ("70.01", "80.00")
    assert course["predikat_bands"] == [
        {"min_score": "90.01", "label": "Sangat Memuaskan"},
        {"min_score": "80.01", "label": "Memuaskan"},
        {"min_score": "70.01", "label": "Cukup Memuaskan"},
        {"min_score": "60.01", "label": "Kurang Memuaskan"},
        {"min_score": "0.00", "label": "Tidak Memuaskan"},
    ]
    assert course["jenis_diklat_label"] == "Teknis"
    assert course["validity_months"] == 36
    assert course["version"] == 1
    fetched = await client.get(f"/api/v1/courses/{course['id']}", headers=organizer.headers)
    assert fetched.json() == course


async def test_weights_must_use_known_components_and_sum_to_100(client, organizer):
    cases = [
        ({"attendance": 10, "post_test": 60, "trainer_assessment": 20}, "weights"),
        ({"attendance": 10, "post_test": 60, "trainer_assessment": 30.5}, "weights"),
        ({"attendance": 10, "post_test": 60, "kehadiran_bonus": 30}, "weights.kehadiran_bonus"),
    ]
    for weights, field in cases:
        resp = await client.post(
            "/api/v1/courses", json=course_body(weights=weights), headers=organizer.headers
        )
        assert resp.status_code == 422, resp.text
        assert resp.json()["errors"][0]["field"] == field
    assert (await client.get("/api/v1/courses", headers=organizer.headers)).json()["total"] == 0


MALFORMED = [
    {"pass_mark": 101},
    {"min_attendance": -1},
    {"pass_mark": "70.005"},
    {"weights": {"attendance": -10, "post_test": 110}},
    {"modules": []},
    {"modules": [{"title": "Kosong", "jp": 0}]},
    {"jenis_diklat": 11},
    {"training_type": "daring"},
    {"unknown_field": 1},
    {"code": "PP 2026 dengan spasi"},
]


async def test_malformed_course_is_400(client, organizer):
    for override in MALFORMED:
        resp = await client.post(
            "/api/v1/courses", json=course_body(**override), headers=organizer.headers
        )
        assert resp.status_code == 400, (override, resp.text)
        assert resp.headers["content-type"].startswith("application/problem+json")


async def test_duplicate_code_is_409(client, organizer):
    await create_course(client, organizer, code="PP-2026")
    resp = await client.post(
        "/api/v1/courses", json=course_body(code="PP-2026"), headers=organizer.headers
    )
    assert resp.status_code == 409
    assert "PP-2026" in resp.json()["detail"]


async def test_bands_must_cover_every_score(client, organizer):
    bands = [{"min_score": 70.01, "label": "Lulus"}, {"min_score": 50, "label": "Cukup"}]
    resp = await client.post(
        "/api/v1/courses", json=course_body(predikat_bands=bands), headers=organizer.headers
    )
    assert resp.status_code == 422
    ok = await client.post(
        "/api/v1/courses",
        json=course_body(predikat_bands=[*bands, {"min_score": 0, "label": "Belum Lulus"}]),
        headers=organizer.headers,
    )
    assert ok.status_code == 201
    assert [b["label"] for b in ok.json()["predikat_bands"]] == ["Lulus", "Cukup", "Belum Lulus"]


async def test_competency_codes_must_exist_in_the_framework(client, organizer):
    from lms.competencies.tables import Competency

    await Competency.insert(
        Competency(code="PP-01", name="Memahami kebutuhan", created_at=dt.datetime.now(dt.UTC))
    )
    bad = await client.post(
        "/api/v1/courses", json=course_body(competency_codes=["PP-99"]), headers=organizer.headers
    )
    assert bad.status_code == 422
    assert "PP-99" in bad.json()["detail"]
    modules = [{"title": "Konsep", "jp": 24, "competency_codes": ["PP-01"]}]
    ok = await client.post(
        "/api/v1/courses",
        json=course_body(competency_codes=["PP-01"], modules=modules),
        headers=organizer.headers,
    )
    assert ok.status_code == 201
    assert ok.json()["modules"][0]["competency_codes"] == ["PP-01"]


async def test_courses_are_scoped_to_the_organizers_units(
    client, organizer, other_organizer, hr, participant, trainer_user
):
    course = await create_course(client, organizer)
    assert (
        await client.get(f"/api/v1/courses/{course['id']}", headers=other_organizer.headers)
    ).status_code == 404
    assert (await client.get("/api/v1/courses", headers=other_organizer.headers)).json() == {
        "items": [],
        "total": 0,
    }
    listing = await client.get("/api/v1/courses", headers=hr.headers)
    assert [c["id"] for c in listing.json()["items"]] == [course["id"]]
    assert (
        await client.patch(
            f"/api/v1/courses/{course['id']}", json={"title": "X"}, headers=other_organizer.headers
        )
    ).status_code == 404
    assert (await client.get("/api/v1/courses", headers=participant.headers)).status_code == 403
    assert (
        await client.post("/api/v1/courses", json=course_body(), headers=trainer_user.headers)
    ).status_code == 403
    assert (
        await client.patch(
            f"/api/v1/courses/{course['id']}", json={"title": "X"}, headers=hr.headers
        )
    ).status_code == 403


async def test_organizer_cannot_create_course_for_a_unit_outside_scope(
    client, organizer, other_unit
):
    resp = await client.post(
        "/api/v1/courses",
        json=course_body(unit_id=str(other_unit["id"])),
        headers=organizer.headers,
    )
    assert resp.status_code == 422


async def test_edit_without_finalized_results_keeps_the_version(client, organizer):
    from courses.catalogue.services import course_rules

    course = await create_course(client, organizer)
    resp = await client.patch(
        f"/api/v1/courses/{course['id']}", json={"pass_mark": "80.01"}, headers=organizer.headers
    )
    assert resp.status_code == 200
    assert resp.json()["version"] == 1
    assert resp.json()["pass_mark"] == "80.01"
    rules = await course_rules(UUID(course["id"]))
    assert rules.pass_mark == Decimal("80.01")
    assert rules.weights == {
        "attendance": Decimal("10"),
        "post_test": Decimal("60"),
        "trainer_assessment": Decimal("30"),
    }
    assert rules.total_jp == Decimal("24")
    assert rules.predikat(Decimal("90.01")) == "Sangat Memuaskan"
    assert rules.predikat(Decimal("90.00")) == "Memuaskan"
    assert rules.predikat(Decimal("70.01")) == "Cukup Memuaskan"
    assert rules.predikat(Decimal("70.00")) == "Kurang Memuaskan"
    assert rules.predikat(Decimal("60.00")) == "Tidak Memuaskan"


async def test_rules_edit_after_finalized_results_bumps_version_and_freezes_the_past(
    client, organizer
):
    from courses.catalogue.schemas import CourseRules
    from courses.catalogue.services import course_rules, session_rules
    from courses.tables import CourseSession
    from lms.audit.services import entries_for

    course = await create_course(client, organizer)
    finalized = await create_session(client, organizer, course["id"], name="Angkatan I")
    running = await create_session(client, organizer, course["id"], name="Angkatan II")
    await CourseSession.update({CourseSession.finalized_at: dt.datetime.now(dt.UTC)}).where(
        CourseSession.id == UUID(finalized["id"])
    )
    title_only = await client.patch(
        f"/api/v1/courses/{course['id']}",
        json={"title": "Pelatihan Pelayanan Prima Terpadu"},
        headers=organizer.headers,
    )
    assert title_only.json()["version"] == 1
    resp = await client.patch(
        f"/api/v1/courses/{course['id']}",
        json={
            "pass_mark": "80.01",
            "weights": {"attendance": 20, "post_test": 50, "trainer_assessment": 30},
        },
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["version"] == 2

    past = await session_rules(UUID(finalized["id"]))
    assert (past.version, past.pass_mark, past.weights["attendance"]) == (
        1,
        Decimal("70.01"),
        Decimal("10"),
    )
    current = await session_rules(UUID(running["id"]))
    assert (current.version, current.pass_mark) == (2, Decimal("80.01"))
    assert current == await course_rules(UUID(course["id"]))
    versions = {
        str(row["id"]): row["course_version"]
        for row in await CourseSession.select(CourseSession.id, CourseSession.course_version)
    }
    assert versions == {finalized["id"]: 1, running["id"]: 2}
    # The snapshot round-trips through JSON as results will store it.
    snapshot = msgspec.json.decode(msgspec.json.encode(past), type=CourseRules)
    assert snapshot == past
    actions = [e["action"] for e in await entries_for("course", course["id"])]
    assert actions == ["course.create", "course.update", "course.update"]


async def test_modules_are_kept_by_id_and_a_module_on_an_agenda_cannot_be_dropped(
    client, organizer
):
    course = await create_course(client, organizer)
    first, second, third, fourth = course["modules"]
    reordered = [
        {"id": second["id"], "title": second["title"], "jp": 6},
        {"id": first["id"], "title": "Konsep dan Prinsip Pelayanan Prima", "jp": 8},
        {"id": third["id"], "title": third["title"], "jp": 6},
        {"id": fourth["id"], "title": fourth["title"], "jp": 4},
    ]
    resp = await client.patch(
        f"/api/v1/courses/{course['id']}", json={"modules": reordered}, headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    modules = resp.json()["modules"]
    assert [(m["id"], m["position"], m["jp"]) for m in modules] == [
        (second["id"], 1, "6.00"),
        (first["id"], 2, "8.00"),
        (third["id"], 3, "6.00"),
        (fourth["id"], 4, "4.00"),
    ]
    assert resp.json()["total_jp"] == "24.00"

    session = await create_session(client, organizer, course["id"])
    item = await client.post(
        f"/api/v1/sessions/{session['id']}/agenda",
        json={
            "starts_at": "2026-11-18T08:00:00+07:00",
            "ends_at": "2026-11-18T10:00:00+07:00",
            "module_id": fourth["id"],
        },
        headers=organizer.headers,
    )
    assert item.status_code == 201, item.text
    dropped = await client.patch(
        f"/api/v1/courses/{course['id']}",
        json={"modules": reordered[:3]},
        headers=organizer.headers,
    )
    assert dropped.status_code == 409
    assert "Penanganan Pengaduan" in dropped.json()["detail"]
    unknown = await client.patch(
        f"/api/v1/courses/{course['id']}",
        json={"modules": [{"id": session["id"], "title": "X", "jp": 24}]},
        headers=organizer.headers,
    )
    assert unknown.status_code == 422


async def test_list_filters_by_text_and_active(client, organizer):
    await create_course(client, organizer, code="PP-A", title="Pelatihan Pelayanan Prima")
    await create_course(
        client, organizer, code="SKM-A", title="Bimtek Survei Kepuasan", active=False
    )
    by_text = await client.get("/api/v1/courses?q=survei", headers=organizer.headers)
    assert [c["code"] for c in by_text.json()["items"]] == ["SKM-A"]
    active = await client.get("/api/v1/courses?active=true", headers=organizer.headers)
    assert [c["code"] for c in active.json()["items"]] == ["PP-A"]


async def test_a_pass_mark_inside_a_predikat_band_is_refused(client, organizer):
    """A pass mark of 70 with the default bands (Cukup Memuaskan from 70.01) let a final 70.00
    pass with "Kurang Memuaskan"; the pass mark must start a band."""
    resp = await client.post(
        "/api/v1/courses", json=course_body(pass_mark=70), headers=organizer.headers
    )
    assert resp.status_code == 422, resp.text
    problem = resp.json()
    assert problem["detail"] == (
        'Batas lulus 70.00 jatuh di dalam predikat "Kurang Memuaskan" (mulai 60.01), sehingga '
        "peserta yang lulus bisa mendapat predikat yang sama dengan peserta yang tidak lulus. "
        "Batas lulus harus sama dengan nilai awal salah satu predikat. Gunakan batas lulus 70.01 "
        '(awal predikat "Cukup Memuaskan") atau sesuaikan predikat.'
    )
    assert problem["errors"] == [
        {"field": "pass_mark", "message": "harus sama dengan min_score salah satu predikat_bands"}
    ]
    own_bands = [
        {"min_score": 85, "label": "Sangat Baik"},
        {"min_score": 70, "label": "Baik"},
        {"min_score": 0, "label": "Belum Kompeten"},
    ]
    ok = await client.post(
        "/api/v1/courses",
        json=course_body(pass_mark=70, predikat_bands=own_bands),
        headers=organizer.headers,
    )
    assert ok.status_code == 201, ok.text
    course_id = ok.json()["id"]
    for change in (
        {"pass_mark": 75},
        {
            "predikat_bands": [
                {"min_score": 70.01, "label": "Lulus"},
                {"min_score": 0, "label": "X"},
            ]
        },
    ):
        bad = await client.patch(
            f"/api/v1/courses/{course_id}", json=change, headers=organizer.headers
        )
        assert bad.status_code == 422, bad.text
        assert bad.json()["errors"][0]["field"] == "pass_mark"
    both = await client.patch(
        f"/api/v1/courses/{course_id}",
        json={"pass_mark": 85, "predikat_bands": own_bands},
        headers=organizer.headers,
    )
    assert both.status_code == 200, both.text
    assert both.json()["pass_mark"] == "85.00"


def test_a_pass_always_gets_a_passing_predikat():
    from courses.catalogue.schemas import DEFAULT_PREDIKAT_BANDS
    from courses.results.scoring import ScoreRules, decide

    rules = ScoreRules(
        weights={"post_test": Decimal(100)},
        pass_mark=Decimal("70.01"),
        min_attendance=Decimal(0),
        predikat_bands=DEFAULT_PREDIKAT_BANDS,
    )
    seen = {}
    for cents in range(0, 10_001):
        score = Decimal(cents) / 100
        result = decide(rules, {}, Decimal(100), score)
        seen.setdefault(result.passed, set()).add(result.predikat)
    assert seen == {
        True: {"Cukup Memuaskan", "Memuaskan", "Sangat Memuaskan"},
        False: {"Kurang Memuaskan", "Tidak Memuaskan"},
    }
