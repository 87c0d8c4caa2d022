"""Validation errors in Indonesian, naming fields as the client sent them (issue 14)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
import pytest
from click.testing import CliRunner

from lms.shared.validation import DATE_FORMAT, DATETIME_FORMAT, describe, translate
from tests.courses.builders.delivery import course_body, create_session

ENGLISH = ("Expected", "Object ", "Invalid", "truncated", "malformed", "ParamType", "$.")


class _Mark(msgspec.Struct, forbid_unknown_fields=True):
    status: Literal["present", "late", "excused", "absent"]
    day: dt.date
    at: dt.datetime
    nip: Annotated[str, msgspec.Meta(pattern="^[0-9]{18}$")]


class _Sheet(msgspec.Struct):
    marks: list[_Mark]


def _error(value: dict) -> dict[str, str]:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert(value, _Sheet)
    return describe(str(caught.value), _Sheet)


GOOD = {"status": "present", "day": "2026-11-18", "at": "2026-11-18T08:00:00Z", "nip": "1" * 18}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"status": "izin"},
            {
                "field": "marks[0].status",
                "message": "nilai 'izin' tidak dikenal; pilih salah satu: absent, excused, late, "
                "present",
            },
        ),
        (
            {"day": "18-11-2026"},
            {
                "field": "marks[0].day",
                "message": f"bukan tanggal yang sah; gunakan {DATE_FORMAT}",
            },
        ),
        (
            {"at": "besok"},
            {
                "field": "marks[0].at",
                "message": f"bukan tanggal-waktu yang sah; gunakan {DATETIME_FORMAT}",
            },
        ),
        (
            {"nip": 5},
            {"field": "marks[0].nip", "message": "harus berupa teks, bukan bilangan bulat"},
        ),
        (
            {"nip": "12"},
            {"field": "marks[0].nip", "message": "format tidak sesuai (pola ^[0-9]{18}$)"},
        ),
        ({"extra": 1}, {"field": "marks[0].extra", "message": "kolom tidak dikenal"}),
    ],
)
def test_msgspec_messages_are_translated_with_the_field_path(change, expected):
    assert _error({"marks": [{**GOOD, **change}]}) == expected


def test_a_missing_field_is_named_not_its_parent():
    mark = dict(GOOD)
    del mark["status"]
    assert _error({"marks": [mark]}) == {"field": "marks[0].status", "message": "wajib diisi"}
    assert translate("Object missing required field `modules`") == ("modules", "wajib diisi")


def test_bounds_and_lengths():
    assert translate("Expected `str` of length >= 8", None, "password") == (
        "password",
        "panjang minimal 8 karakter",
    )
    assert translate("Expected `array` of length <= 100")[1] == "panjang maksimal 100 butir"
    assert translate("Expected `int` >= 1")[1] == "paling kecil 1"
    assert translate("Expected `float` > 0.0")[1] == "harus lebih dari 0"
    assert translate("Input data was truncated")[1] == "JSON tidak lengkap (terpotong)"


async def test_course_without_modules_names_the_field(client, organizer):
    body = course_body()
    del body["modules"]
    resp = await client.post("/api/v1/courses", json=body, headers=organizer.headers)
    assert resp.status_code == 400
    assert resp.json() == {
        "status": 400,
        "type": "https://prima.example/problems/bad-request",
        "title": "Permintaan tidak valid",
        "detail": "Data yang dikirim tidak valid: `modules` wajib diisi.",
        "errors": [{"field": "modules", "message": "wajib diisi", "source": "body"}],
    }


async def test_attendance_status_lists_allowed_values(client, app, organizer, unit):
    session = await create_session(client, organizer, status="running")
    resp = await client.post(
        f"/api/v1/sessions/{session['id']}/attendance",
        json=[{"person_id": str(unit["id"]), "day": "2026-11-18", "status": "izin"}],
        headers=organizer.headers,
    )
    assert resp.status_code == 400, resp.text
    error = resp.json()["errors"][0]
    assert error == {
        "field": "[0].status",
        "message": "nilai 'izin' tidak dikenal; pilih salah satu: absent, excused, late, present",
        "source": "body",
    }


async def test_session_date_names_the_expected_format(client, organizer):
    course = await client.post("/api/v1/courses", json=course_body(), headers=organizer.headers)
    resp = await client.post(
        "/api/v1/sessions",
        json={
            "course_id": course.json()["id"],
            "name": "Angkatan I",
            "start_date": "18/11/2026",
            "end_date": "2026-11-20",
            "timezone": "Asia/Jakarta",
            "venue": "Aula",
            "city": "Padang Panjang",
            "capacity": 30,
        },
        headers=organizer.headers,
    )
    assert resp.status_code == 400
    assert resp.json()["errors"] == [
        {
            "field": "start_date",
            "message": f"bukan tanggal yang sah; gunakan {DATE_FORMAT}",
            "source": "body",
        }
    ]


async def test_query_parameters_name_their_source_plainly(client, organizer):
    resp = await client.get("/api/v1/sessions?status=izin&limit=x", headers=organizer.headers)
    assert resp.status_code == 400
    body = resp.json()
    assert "ParamType" not in resp.text
    assert {e["field"]: e for e in body["errors"]}["limit"] == {
        "field": "limit",
        "message": "harus berupa bilangan bulat, bukan teks",
        "source": "query",
    }


async def test_truncated_json_is_explained_in_indonesian(client, organizer):
    resp = await client.post(
        "/api/v1/courses",
        content=b'{"code": "PP-01", "title": "Pelayanan',
        headers={**organizer.headers, "content-type": "application/json"},
    )
    assert resp.status_code == 400
    assert resp.json()["detail"] == "Isi permintaan tidak valid: JSON tidak lengkap (terpotong)."


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/users", {"username": "x y", "password": "pendek", "role": "raja"}),
        ("POST", "/api/v1/users", {"username": "budi", "password": "rahasia-123", "role": "raja"}),
        ("POST", "/api/v1/units", {"code": 5}),
        ("POST", "/api/v1/people", {"nip": "123"}),
        ("POST", "/api/v1/courses", {"code": "PP-01"}),
        ("POST", "/api/v1/sessions", {"course_id": "bukan-uuid"}),
        ("POST", "/api/v1/trainers", {}),
        ("PATCH", "/api/v1/users/00000000-0000-4000-8000-000000000000", {"active": "ya"}),
        ("GET", "/api/v1/people?limit=0", None),
        ("GET", "/api/v1/sessions?status=izin", None),
    ],
)
async def test_no_english_or_internal_names_on_a_sample_of_routes(
    client, admin, method, path, body
):
    resp = await client.request(method, path, json=body, headers=admin.headers)
    assert resp.status_code == 400, resp.text
    problem = resp.json()
    texts = [problem["detail"]] + [e["message"] for e in problem.get("errors", [])]
    assert not [t for t in texts if any(word in t for word in ENGLISH)], problem
    assert all(e["field"] not in ("", "data") for e in problem.get("errors", [])), problem


def test_cli_names_the_option_in_indonesian(monkeypatch):
    import asyncio

    from lms import cli

    async def no_migrations() -> None:
        return None

    monkeypatch.setattr(cli, "_migrate", no_migrations)
    monkeypatch.setattr(cli, "_run", lambda factory: asyncio.run(factory()))
    result = CliRunner().invoke(
        cli.main, ["users", "create", "budi", "--role", "admin", "--password", "pendek"]
    )
    assert result.exit_code == 1
    assert result.output == ("Error: Nilai --password tidak valid: panjang minimal 8 karakter.\n")
