"""The organizer's attendance recap page and its downloads."""

from __future__ import annotations

from tests.courses.builders.results import build_world, mark_attendance
from tests.lms.web.test_shell import login


async def test_the_recap_shows_each_day_and_downloads(app, client, web, organizer, unit):
    world = await build_world(app, client, organizer, unit, participants=2)
    await mark_attendance(client, organizer, world, world.people[0], present_days=2)
    await login(web, organizer.username, "rahasia-123")
    page = await web.get(f"/kelola/sesi/{world.session_id}/kehadiran")
    assert page.status_code == 200
    assert "Rab 18/11" in page.text and "Jum 20/11" in page.text
    assert "<td>H</td><td>H</td><td>A</td>" in page.text
    assert "Peserta 002" in page.text and "3 belum" in page.text
    xlsx = await web.get(f"/kelola/sesi/{world.session_id}/kehadiran/rekap")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv = await web.get(f"/kelola/sesi/{world.session_id}/kehadiran/rekap?format=csv")
    assert "Peserta 002" in csv.content.decode("utf-8-sig")


async def test_another_units_organizer_gets_404(app, client, web, organizer, other_organizer, unit):
    world = await build_world(app, client, organizer, unit, participants=1)
    await login(web, other_organizer.username, "rahasia-123")
    for path in ("kehadiran", "kehadiran/rekap"):
        assert (await web.get(f"/kelola/sesi/{world.session_id}/{path}")).status_code == 404
