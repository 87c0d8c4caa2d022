"""Accounts for a whole class: bulk creation with slips (JSON, PDF, XLSX), resets in scope,
and the organizer's pages for both."""

from __future__ import annotations

import io
import re
import subprocess
from uuid import UUID

import openpyxl

from lms.audit.tables import AuditEntry
from lms.auth.tables import User
from tests.courses.builders.delivery import create_session, enroll
from tests.factories import make_actor, make_person
from tests.lms.web.test_shell import csrf_of, login

PASSWORD = re.compile(
    r"(?<![\w-])(?:[34679abcdefghjkmnpqrtuvwxy]{4}-){2}[34679abcdefghjkmnpqrtuvwxy]{4}(?![\w-])"
)
NIPS = ["198609262015051001", "199001152015032002", "198512312010011003"]


async def class_of_three(client, organizer, unit) -> tuple[dict, list[UUID]]:
    session = await create_session(client, organizer, status="open")
    people = [
        await make_person(unit["id"], "Afrizal", nip=NIPS[0], back_title="S.Sos."),
        await make_person(unit["id"], "Siti Rahmawati", nip=NIPS[1], back_title="S.AP."),
        await make_person(unit["id"], "Budi Santoso", nip=NIPS[2]),
    ]
    await enroll(client, organizer, session["id"], people)
    return session, people


def pdf_text(content: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


async def test_an_organizer_makes_the_class_accounts_and_skips_who_has_one(
    app, client, organizer, unit
):
    session, people = await class_of_three(client, organizer, unit)
    await make_actor(app, "participant", person_id=people[1], username="siti")

    resp = await client.post(
        f"/api/v1/sessions/{session['id']}/accounts", headers=organizer.headers
    )

    assert resp.status_code == 201, resp.text
    assert resp.headers["cache-control"] == "no-store"
    body = resp.json()
    assert body["title"] == "Pelatihan Pelayanan Prima · Angkatan I"
    assert body["login_url"] == "https://prima.test/masuk"
    assert [a["username"] for a in body["created"]] == [NIPS[0], NIPS[2]]
    assert [a["name"] for a in body["created"]] == ["Afrizal, S.Sos.", "Budi Santoso"]
    assert body["created"][0]["nip_display"] == "19860926 201505 1 001"
    for account in body["created"]:
        assert PASSWORD.fullmatch(account["initial_password"])
    assert body["skipped"] == [
        {
            "person_id": str(people[1]),
            "name": "Siti Rahmawati, S.AP.",
            "nip_display": "19900115 201503 2 002",
            "reason": "sudah punya akun",
            "username": "siti",
        }
    ]
    rows = await User.select(User.username, User.role, User.must_change_password).where(
        User.username.is_in([NIPS[0], NIPS[2]])
    )
    assert sorted(rows, key=lambda r: r["username"]) == [
        {"username": NIPS[2], "role": "participant", "must_change_password": True},
        {"username": NIPS[0], "role": "participant", "must_change_password": True},
    ]
    assert await AuditEntry.count().where(AuditEntry.action == "user.create") == 2
    # The slip's password logs in (and the API says nothing about the forced change).
    login_resp = await client.post(
        "/api/v1/auth/login",
        json={"username": NIPS[0], "password": body["created"][0]["initial_password"]},
    )
    assert login_resp.status_code == 200

    again = await client.post(
        f"/api/v1/sessions/{session['id']}/accounts", headers=organizer.headers
    )
    assert again.json()["created"] == []
    assert len(again.json()["skipped"]) == 3


async def test_the_slips_come_as_pdf_and_xlsx_from_the_same_request(client, organizer, unit):
    session, _ = await class_of_three(client, organizer, unit)

    pdf = await client.post(
        f"/api/v1/sessions/{session['id']}/accounts?format=pdf", headers=organizer.headers
    )

    assert pdf.status_code == 201
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"] == (
        'attachment; filename="akun-pelatihan-pelayanan-prima-angkatan-i.pdf"'
    )
    assert pdf.headers["x-accounts-created"] == "3"
    text = pdf_text(pdf.content)
    for expected in ("Afrizal, S.Sos.", NIPS[1], "Kata sandi awal", "https://prima.test/masuk"):
        assert expected in text
    passwords = PASSWORD.findall(text)
    assert len(passwords) == 3

    # The people now have accounts: an XLSX of a second run lists nobody.
    xlsx = await client.post(
        f"/api/v1/sessions/{session['id']}/accounts?format=xlsx", headers=organizer.headers
    )
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == [
        "No",
        "Nama",
        "NIP",
        "Nama pengguna",
        "Kata sandi awal",
        "Alamat masuk",
    ]
    assert sheet.max_row == 1


async def test_class_accounts_of_another_units_session_are_404(
    client, organizer, other_organizer, unit, participant
):
    session, _ = await class_of_three(client, organizer, unit)

    other = await client.post(
        f"/api/v1/sessions/{session['id']}/accounts", headers=other_organizer.headers
    )
    forbidden = await client.post(
        f"/api/v1/sessions/{session['id']}/accounts", headers=participant.headers
    )

    assert other.status_code == 404
    assert other.json()["detail"] == "Sesi tidak ditemukan."
    assert forbidden.status_code == 403
    assert await User.count().where(User.username.is_in(NIPS)) == 0


async def test_password_reset_in_scope_only(app, client, organizer, other_organizer, admin, unit):
    session, people = await class_of_three(client, organizer, unit)
    made = (
        await client.post(f"/api/v1/sessions/{session['id']}/accounts", headers=organizer.headers)
    ).json()["created"]
    user_id = made[0]["user_id"]

    outside = await client.post(
        f"/api/v1/users/{user_id}/password-reset", headers=other_organizer.headers
    )
    colleague = await client.post(
        f"/api/v1/users/{other_organizer.user_id}/password-reset", headers=organizer.headers
    )
    resp = await client.post(f"/api/v1/users/{user_id}/password-reset", headers=organizer.headers)

    assert outside.status_code == 404 and colleague.status_code == 404
    assert resp.status_code == 200, resp.text
    new = resp.json()["account"]["initial_password"]
    assert new != made[0]["initial_password"]
    old_login = await client.post(
        "/api/v1/auth/login", json={"username": NIPS[0], "password": made[0]["initial_password"]}
    )
    new_login = await client.post("/api/v1/auth/login", json={"username": NIPS[0], "password": new})
    assert old_login.status_code == 401 and new_login.status_code == 200
    assert await AuditEntry.count().where(AuditEntry.action == "user.password_reset") == 1
    by_admin = await client.post(
        f"/api/v1/users/{other_organizer.user_id}/password-reset", headers=admin.headers
    )
    assert by_admin.status_code == 200


async def test_an_organizer_resets_a_participant_of_their_session_from_another_unit(
    app, client, organizer, unit, other_unit
):
    session = await create_session(client, organizer, status="open")
    outsider = await make_person(other_unit["id"], "Lurah Tetangga", nip=NIPS[0])
    await enroll(client, organizer, session["id"], [outsider])
    account = await make_actor(app, "participant", person_id=outsider)

    resp = await client.post(
        f"/api/v1/users/{account.user_id}/password-reset", headers=organizer.headers
    )

    assert resp.status_code == 200


async def test_the_organizer_pages_make_accounts_and_offer_both_downloads(
    web, client, organizer, unit
):
    session, _ = await class_of_three(client, organizer, unit)
    await login(web, organizer.username, "rahasia-123")

    listing = await web.get("/kelola/sesi")
    assert f'href="/kelola/sesi/{session["id"]}/akun"' in listing.text
    page = await web.get(f"/kelola/sesi/{session['id']}/akun")
    assert "Buat akun untuk 3 peserta" in page.text
    made = await web.post(
        f"/kelola/sesi/{session['id']}/akun", data={"_csrf_token": csrf_of(page.text)}
    )
    assert made.status_code == 303
    result = await web.get(made.headers["location"])

    assert result.status_code == 200
    assert "3 akun dibuat" in result.text
    passwords = PASSWORD.findall(result.text)
    assert len(passwords) == 3
    pdf = await web.get(made.headers["location"] + "/pdf")
    assert pdf.content.startswith(b"%PDF-")
    assert sorted(PASSWORD.findall(pdf_text(pdf.content))) == sorted(passwords)
    xlsx = await web.get(made.headers["location"] + "/xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sorted(row[4] for row in sheet.iter_rows(min_row=2, values_only=True)) == sorted(
        passwords
    )
    # Another organizer cannot read the stored slips, even with the link.
    assert (await client.get(made.headers["location"] + "/pdf")).status_code in (303, 401)


async def test_the_reset_page_shows_the_new_password_once(web, client, organizer, unit):
    session, _ = await class_of_three(client, organizer, unit)
    made = (
        await client.post(f"/api/v1/sessions/{session['id']}/accounts", headers=organizer.headers)
    ).json()["created"]
    await login(web, organizer.username, "rahasia-123")
    page = await web.get(f"/kelola/sesi/{session['id']}/akun")

    resp = await web.post(
        f"/kelola/akun/{made[0]['user_id']}/atur-ulang",
        data={
            "_csrf_token": csrf_of(page.text),
            "kembali": f"/kelola/sesi/{session['id']}/akun",
        },
    )

    assert resp.status_code == 200
    assert "Kata sandi diatur ulang" in resp.text
    assert len(PASSWORD.findall(resp.text)) == 1


async def test_the_reset_page_of_an_account_outside_scope_is_a_404_page(
    web, client, organizer, other_organizer, unit
):
    session, _ = await class_of_three(client, organizer, unit)
    made = (
        await client.post(f"/api/v1/sessions/{session['id']}/accounts", headers=organizer.headers)
    ).json()["created"]
    await login(web, other_organizer.username, "rahasia-123")
    page = await web.get("/kelola/sesi")

    resp = await web.post(
        f"/kelola/akun/{made[0]['user_id']}/atur-ulang",
        data={"_csrf_token": csrf_of(page.text)},
    )

    assert resp.status_code == 404
    assert resp.headers["content-type"].startswith("text/html")
    assert "Pengguna tidak ditemukan." in resp.text
    assert PASSWORD.search(resp.text) is None
