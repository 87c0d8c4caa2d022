"""A trainer's day in chromium at 390×844: their agenda, the projector with the check-in code
and its QR code (also at 1280×720, as projected), marking attendance, grading an essay and
entering a component score.

The test builds its own course, session, trainer, class and essay through the API (as the
demo's admin and organizer), so it neither depends on nor changes the demo's sessions.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from zoneinfo import ZoneInfo

import pytest

from courses.delivery.attendance.trainer_pages import qr_svg
from tests.browser.conftest import PHONE, requires_chromium
from tests.browser.test_pages import api as _api
from tests.browser.test_pages import shoot, token_of

pytestmark = [
    pytest.mark.own_server,
    requires_chromium,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.timeout(600),
]

TRAINER_PASSWORD = "narasumber-prima-2026"
ESSAY = "Sikap melayani tampak dari senyum, sapaan, dan kesediaan membantu tanpa diminta."
NAMES = ["Rahmat Hidayat", "Sri Wahyuni", "Yoga Pratama"]


def api(base: str, method: str, path: str, body: dict | None = None, token: str = "") -> dict:
    """The API call of the page tests, failing with the problem's detail."""
    import urllib.error

    try:
        return _api(base, method, path, body, token)
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"{method} {path}: {exc.code} {exc.read().decode()}") from None


async def until(page, expression: str, seconds: float = 15) -> None:
    """Poll ``expression`` in the page until true (``wait_for_function`` evaluates strings,
    which the pages' CSP forbids)."""
    import asyncio

    for _ in range(int(seconds * 5)):
        if await page.evaluate(expression):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"never true: {expression}")


def _world(base: str) -> dict:
    """A running session today (WIB) taught by a new trainer login, three participants with
    logins, and one participant's submitted essay."""
    admin = token_of(base, "admin", "admin-prima-2026")
    organizer = token_of(base, "organizer", "organizer-prima-2026")
    tag = uuid.uuid4().hex[:6]
    today = dt.datetime.now(ZoneInfo("Asia/Jakarta")).date()
    login = api(
        base,
        "POST",
        "/api/v1/users",
        {
            "username": f"narsum-{tag}",
            "password": TRAINER_PASSWORD,
            "role": "trainer",
        },
        admin,
    )
    trainer = api(
        base,
        "POST",
        "/api/v1/trainers",
        {
            "name": "Dewi Kartika",
            "front_title": "Dr.",
            "back_title": "M.Pd.",
            "institution": "BPSDM Provinsi Sumatera Barat",
            "user_id": login["id"],
        },
        organizer,
    )
    course = api(
        base,
        "POST",
        "/api/v1/courses",
        {
            "code": f"LT-{tag}",
            "title": "Pelatihan Pelayanan Prima (Uji Narasumber)",
            "modules": [{"title": "Sikap Melayani", "jp": 6}, {"title": "Pengaduan", "jp": 6}],
            "pass_mark": "70.01",
            "min_attendance": 80,
            "jenis_diklat": 3,
            "weights": {"attendance": 10, "post_test": 60, "trainer_assessment": 30},
        },
        organizer,
    )
    session = api(
        base,
        "POST",
        "/api/v1/sessions",
        {
            "course_id": course["id"],
            "name": f"Angkatan Uji {tag}",
            "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=1)).isoformat(),
            "timezone": "Asia/Jakarta",
            "venue": f"Ruang Latih {tag}",
            "city": "Padang Panjang",
            "capacity": 10,
        },
        organizer,
    )
    for status in ("open", "running"):
        api(base, "PATCH", f"/api/v1/sessions/{session['id']}", {"status": status}, organizer)
    api(
        base,
        "POST",
        f"/api/v1/sessions/{session['id']}/agenda",
        {
            "starts_at": f"{today.isoformat()}T08:00:00+07:00",
            "ends_at": f"{today.isoformat()}T10:00:00+07:00",
            "module_id": course["modules"][0]["id"],
            "trainer_id": trainer["id"],
        },
        organizer,
    )
    people, tokens = [], []
    for n, name in enumerate(NAMES):
        person = api(
            base,
            "POST",
            "/api/v1/people",
            {"name": name, "asn_type": "non_asn", "jabatan": "Operator Layanan"},
            organizer,
        )
        people.append(person)
        username = f"peserta-{tag}-{n}"
        api(
            base,
            "POST",
            "/api/v1/users",
            {
                "username": username,
                "password": TRAINER_PASSWORD,
                "role": "participant",
                "person_id": person["id"],
            },
            admin,
        )
        tokens.append(token_of(base, username, TRAINER_PASSWORD))
    api(
        base,
        "POST",
        f"/api/v1/sessions/{session['id']}/enrollments",
        {"person_ids": [p["id"] for p in people]},
        organizer,
    )
    bank = api(base, "POST", "/api/v1/question-banks", {"name": f"Esai {tag}"}, organizer)
    api(
        base,
        "POST",
        f"/api/v1/question-banks/{bank['id']}/import",
        {
            "format": "gift",
            "text": "::Sikap melayani::Jelaskan dengan contoh bagaimana sikap melayani "
            "ditunjukkan di loket pelayanan. {}\n",
        },
        organizer,
    )
    question = api(base, "GET", f"/api/v1/question-banks/{bank['id']}/questions", token=organizer)[
        "items"
    ][0]
    quiz = api(
        base,
        "POST",
        f"/api/v1/sessions/{session['id']}/quizzes",
        {
            "kind": "quiz",
            "title": "Refleksi Modul 1",
            "selection": [question["id"]],
        },
        organizer,
    )
    attempt = api(base, "POST", f"/api/v1/quizzes/{quiz['id']}/attempts", token=tokens[0])
    api(
        base,
        "PUT",
        f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}",
        {"type": "essay", "text": ESSAY},
        tokens[0],
    )
    api(base, "POST", f"/api/v1/attempts/{attempt['id']}/submit", token=tokens[0])
    return {
        "username": login["username"],
        "session": session,
        "people": people,
        "attempt": attempt,
        "organizer": organizer,
        "title": course["title"],
    }


async def test_a_trainer_runs_their_session_day(page, demo_server):
    world = _world(demo_server)
    session_id = world["session"]["id"]

    await page.goto("/masuk")
    await page.get_by_label("Nama pengguna atau NIP").fill(world["username"])
    await page.get_by_label("Kata sandi").fill(TRAINER_PASSWORD)
    await page.get_by_role("button", name="Masuk").click()
    await page.wait_for_url("**/latih")  # a trainer's day starts at the agenda
    assert await page.get_by_text("hari ini", exact=True).count() >= 1
    await shoot(page, "pengajar-agenda")

    # The projector: the code large, and a QR code holding the check-in page with it.
    await page.clock.install()  # time still flows; fast_forward below skips to the next code
    group = page.get_by_role("group", name=re.compile(world["session"]["name"]))
    await group.get_by_role("link", name="Proyektor").click()
    await page.wait_for_url(f"**/latih/sesi/{session_id}/proyektor**")
    code = await page.locator("[data-code]").get_attribute("data-code")
    assert re.fullmatch(r"\d{6}", code)
    assert (await page.locator(".proj-code").inner_text()).replace(" ", "") == code
    url = (await page.locator(".proj-url .secret").inner_text()).strip()
    assert url == f"{demo_server}/saya/sesi/{session_id}/hadir?kode={code}"
    # The drawn modules are exactly segno's encoding of that address.
    drawn = await page.locator(".proj-qr path").evaluate_all(
        "paths => paths.map(p => p.getAttribute('d'))"
    )
    assert drawn == re.findall(r' d="([^"]+)"', str(qr_svg(url)))
    box = await page.locator(".proj-qr").bounding_box()
    assert box and box["width"] >= 250  # scannable from the back of the room
    # projector.js runs: it counts down to the next code.
    await until(page, "document.querySelector('[data-countdown]').textContent.includes('detik')")
    await shoot(page, "pengajar-proyektor")
    await page.set_viewport_size({"width": 1280, "height": 720})
    await shoot(page, "pengajar-proyektor-lebar")
    await page.set_viewport_size(PHONE)
    # When the code's period ends, projector.js fetches the page and swaps the code block.
    await page.evaluate("document.querySelector('[data-projector]').dataset.old = 'ya'")
    await page.clock.fast_forward(95_000)
    await until(page, "!document.querySelector('[data-projector]').dataset.old")
    assert re.fullmatch(r"\d{6}", await page.locator("[data-code]").get_attribute("data-code"))

    # Attendance: two marked by hand, the rest present with the second button.
    await page.get_by_role("link", name="Kehadiran").click()
    await page.wait_for_url(f"**/latih/sesi/{session_id}/kehadiran**")
    first = page.get_by_role("group", name=re.compile(NAMES[0]))
    await first.get_by_role("radio", name="Terlambat").check()
    second = page.get_by_role("group", name=re.compile(NAMES[1]))
    await second.get_by_role("radio", name="Izin").check()
    await page.get_by_role("button", name="Simpan, yang belum ditandai: Hadir").click()
    await page.wait_for_url("**tersimpan=3")
    assert "3 perubahan" in await page.get_by_role("status").inner_text()
    assert (
        await page.get_by_role("group", name=re.compile(NAMES[2]))
        .get_by_role("radio", name="Hadir", exact=True)
        .is_checked()
    )
    await shoot(page, "pengajar-kehadiran")
    summary = api(
        demo_server, "GET", f"/api/v1/sessions/{session_id}/attendance", token=world["organizer"]
    )
    today_marks = {p["full_name"]: p["marks"][0]["status"] for p in summary["people"]}
    assert today_marks == {NAMES[0]: "late", NAMES[1]: "excused", NAMES[2]: "present"}

    # The essay queue: one essay, graded with points and feedback.
    await page.get_by_role("link", name="Esai").click()
    await page.wait_for_url(f"**/latih/sesi/{session_id}/esai")
    assert ESSAY in await page.locator(".latih-answer").inner_text()
    await shoot(page, "pengajar-esai")
    await page.get_by_label("Nilai (0–1.00)").fill("0,75")
    await page.get_by_label("Umpan balik untuk peserta").fill("Contohnya tepat; tambahkan sapaan.")
    await page.get_by_role("button", name=re.compile("^Simpan nilai esai")).click()
    await page.wait_for_url("**/esai?dinilai=1")
    assert "Tidak ada esai yang menunggu nilai" in await page.content()
    await shoot(page, "pengajar-esai-dinilai")
    attempt = api(
        demo_server, "GET", f"/api/v1/attempts/{world['attempt']['id']}", token=world["organizer"]
    )
    assert (attempt["score"], attempt["needs_grading"]) == ("0.75", False)

    # Component scores: the trainer's assessment of one participant.
    await page.get_by_role("link", name="Nilai", exact=True).click()
    await page.wait_for_url(f"**/latih/sesi/{session_id}/nilai")
    await (
        page.get_by_role("group", name=re.compile(NAMES[0]))
        .get_by_label("Penilaian narasumber")
        .fill("88,5")
    )
    await page.get_by_role("button", name="Simpan nilai").click()
    await page.wait_for_url("**/nilai?tersimpan=1")
    await shoot(page, "pengajar-nilai")
    scores = api(
        demo_server,
        "GET",
        f"/api/v1/sessions/{session_id}/component-scores",
        token=world["organizer"],
    )
    assert [(s["person_id"], s["score"]) for s in scores] == [(world["people"][0]["id"], "88.50")]
