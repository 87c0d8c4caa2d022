"""Where a launch lands (the placed item's page, by role), and launches inside an LMS iframe:
cookies usable in a cross-site frame, framing allowed to the LMS only, and the one-time
"open in a new window" token for browsers that drop the cookie all the same."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from lms.lti.landing import landing_path
from lms.lti.tables import LtiHandoff
from lms.web.session import _embedded_headers, frame_origin
from tests.factories import make_actor, make_person
from tests.lms.lti.fake_platform import INSTRUCTOR, FakePlatform
from tests.lms.lti.test_launch import _login, _register

NIP = "198609262015051001"
TRAINER_NIP = "197803282005011006"
ORGANIZER_NIP = "199001152015032002"
SESSION = uuid4()
QUIZ = uuid4()
LMS_ORIGIN = "https://moodle.example.go.id"
IFRAME = {"Sec-Fetch-Dest": "iframe", "Origin": LMS_ORIGIN}


@pytest.fixture
async def platform() -> AsyncIterator[FakePlatform]:
    fake = FakePlatform()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.mark.parametrize(
    ("kind", "role", "expected"),
    [
        ("session", "participant", f"/saya/sesi/{SESSION}"),
        ("quiz", "participant", f"/saya/kuis/{QUIZ}"),
        ("evaluation", "participant", f"/saya/sesi/{SESSION}/evaluasi"),
        ("certificate", "participant", "/saya/sertifikat"),
        ("", "participant", "/saya"),
        ("session", "trainer", f"/latih/sesi/{SESSION}/kehadiran"),
        ("quiz", "trainer", f"/latih/sesi/{SESSION}/nilai"),
        ("evaluation", "trainer", f"/latih/sesi/{SESSION}/kehadiran"),
        ("certificate", "trainer", "/latih"),
        ("session", "organizer", f"/kelola/sesi/{SESSION}"),
        ("quiz", "organizer", f"/kelola/sesi/{SESSION}/kuis"),
        ("evaluation", "organizer", f"/kelola/sesi/{SESSION}"),
        ("session", "admin", f"/kelola/sesi/{SESSION}"),
        ("certificate", "organizer", "/kelola/sesi"),
    ],
)
def test_landing_page_per_item_and_role(kind, role, expected):
    # A certificate placement carries no session id; the others carry the one it belongs to.
    session = None if kind == "certificate" else SESSION
    assert landing_path(kind, session, QUIZ if kind == "quiz" else None, role) == expected


def _custom(kind: str, nip: str) -> dict[str, str]:
    custom = {"nip": nip, "prima_kind": kind}
    if kind != "certificate":
        custom["session_id"] = str(SESSION)
    if kind == "quiz":
        custom["quiz_id"] = str(QUIZ)
    return custom


async def _launch(client, platform, *, headers=None, **claims):
    id_token, state = platform.id_token(await _login(client, platform), **claims)
    return await client.post(
        "/lti/launch", data={"id_token": id_token, "state": state}, headers=headers or {}
    )


async def test_launches_land_on_the_placed_items_page(app, client, admin, unit, platform):
    await _register(client, admin, platform)
    await make_person(unit["id"], "Afrizal", nip=NIP)
    for kind, page in [
        ("quiz", f"/saya/kuis/{QUIZ}"),
        ("session", f"/saya/sesi/{SESSION}"),
        ("evaluation", f"/saya/sesi/{SESSION}/evaluasi"),
        ("certificate", "/saya/sertifikat"),
    ]:
        resp = await _launch(client, platform, custom=_custom(kind, NIP))
        assert (resp.status_code, resp.headers["location"]) == (303, page), resp.text

    # A made-up id in the custom parameters (an LMS admin may edit them) lands on the home.
    resp = await _launch(
        client, platform, custom={"nip": NIP, "prima_kind": "quiz", "quiz_id": "../../x"}
    )
    assert resp.headers["location"] == "/saya"

    # Instructors land on their role's page of the session (their Prima role decides).
    person = await make_person(unit["id"], "Hendra", nip=TRAINER_NIP)
    await make_actor(app, "trainer", person_id=person, username="hendra")
    resp = await _launch(
        client, platform, sub="t-1", roles=(INSTRUCTOR,), custom=_custom("quiz", TRAINER_NIP)
    )
    assert resp.headers["location"] == f"/latih/sesi/{SESSION}/nilai"
    person = await make_person(unit["id"], "Siti", nip=ORGANIZER_NIP)
    await make_actor(app, "organizer", person_id=person, unit_id=unit["id"], username="siti")
    resp = await _launch(
        client, platform, sub="o-1", roles=(INSTRUCTOR,), custom=_custom("session", ORGANIZER_NIP)
    )
    assert resp.headers["location"] == f"/kelola/sesi/{SESSION}"

    # The placement remembers what was placed (a quiz's scores go to its line item).
    links = (await client.get("/api/v1/lti/links", headers=admin.headers)).json()
    assert {(link["kind"], link["quiz_id"]) for link in links} == {("session", None)}


async def test_login_sets_no_cookie_the_launch_would_need(app, client, admin, platform):
    await _register(client, admin, platform)
    client.cookies.clear()
    location = await _login(client, platform)
    assert "set-cookie" not in (await client.get("/lti/login", params={})).headers
    assert location and not client.cookies  # state and nonce are kept server-side


async def test_an_embedded_launch_gets_cookies_a_cross_site_frame_keeps(
    app, client, admin, unit, platform
):
    await _register(client, admin, platform)
    await make_person(unit["id"], "Afrizal", nip=NIP)
    resp = await _launch(client, platform, headers=IFRAME, custom=_custom("session", NIP))
    assert resp.status_code == 303
    assert resp.headers["location"].startswith("/lti/lanjut?t=")
    cookie = resp.headers["set-cookie"]
    assert cookie.startswith("prima_sesi=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "partitioned", "samesite"} <= attributes
    assert "samesite=none" in cookie.lower()

    # The cookie came back: the token is spent and the person goes on to the page.
    on = await client.get(resp.headers["location"])
    assert (on.status_code, on.headers["location"]) == (303, f"/saya/sesi/{SESSION}")
    again = await client.get(resp.headers["location"])
    assert again.status_code == 400 and "LTI-HANDOFF" in again.text

    # The pages of this session may be framed by the LMS that launched it (and only by it),
    # and the cookies they set stay usable in the frame.
    home = await client.get("/saya")
    assert home.status_code == 200
    csp = home.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {LMS_ORIGIN}" in csp and "ancestors 'none'" not in csp
    for set_cookie in home.headers.get_list("set-cookie"):
        assert "samesite=none" in set_cookie.lower() and "partitioned" in set_cookie.lower()


async def test_an_ordinary_session_is_not_framed_and_stays_lax(app, client, admin, unit, platform):
    await _register(client, admin, platform)
    await make_person(unit["id"], "Afrizal", nip=NIP)
    resp = await _launch(client, platform, custom=_custom("session", NIP))
    assert "samesite=lax" in resp.headers["set-cookie"].lower()
    assert "partitioned" not in resp.headers["set-cookie"].lower()
    home = await client.get("/saya")
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]


async def test_a_dropped_cookie_opens_a_new_window_once(app, client, admin, unit, platform):
    await _register(client, admin, platform)
    await make_person(unit["id"], "Afrizal", nip=NIP)
    resp = await _launch(client, platform, headers=IFRAME, custom=_custom("quiz", NIP))
    client.cookies.clear()  # the browser blocked the frame's cookie
    offer = await client.get(resp.headers["location"])
    assert offer.status_code == 200 and "Buka di jendela baru" in offer.text
    assert 'action="/lti/buka" target="_blank"' in offer.text
    token = re.search(r'name="t" value="([^"]+)"', offer.text).group(1)

    # The new window (first-party) spends the token for an ordinary session.
    opened = await client.post("/lti/buka", data={"t": token})
    assert (opened.status_code, opened.headers["location"]) == (303, f"/saya/kuis/{QUIZ}")
    assert "samesite=lax" in opened.headers["set-cookie"].lower()
    assert (await client.get("/saya")).status_code == 200

    # Single use: neither the window nor the frame's page accepts it again.
    client.cookies.clear()
    twice = await client.post("/lti/buka", data={"t": token})
    assert twice.status_code == 400 and "LTI-HANDOFF" in twice.text
    assert (await client.get(f"/lti/lanjut?t={token}")).status_code == 400


async def test_the_new_window_token_expires_after_two_minutes(app, client, admin, unit, platform):
    await _register(client, admin, platform)
    await make_person(unit["id"], "Afrizal", nip=NIP)
    resp = await _launch(client, platform, headers=IFRAME, custom=_custom("session", NIP))
    client.cookies.clear()
    token = resp.headers["location"].split("t=", 1)[1]
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2, seconds=5)
    await LtiHandoff.update({LtiHandoff.created_at: old}).where(LtiHandoff.id.is_not_null())
    expired = await client.post("/lti/buka", data={"t": token})
    assert expired.status_code == 400 and "LTI-HANDOFF" in expired.text
    forged = await client.post("/lti/buka", data={"t": "x" * 43})
    assert forged.status_code == 400


def test_without_https_an_embedded_session_keeps_lax_cookies():
    # http (a local trial): SameSite=None needs Secure, so the cookie stays Lax (a browser drops
    # it in the frame and the new-window offer takes over); framing is still allowed.
    headers = [
        (b"set-cookie", b"prima_sesi=abc; HttpOnly; Path=/; SameSite=lax"),
        (b"content-security-policy", b"default-src 'self'; frame-ancestors 'none'"),
    ]
    (cookie, csp) = _embedded_headers(headers, "http://127.0.0.1:8080", https=False)
    assert cookie == headers[0]
    assert csp[1] == b"default-src 'self'; frame-ancestors 'self' http://127.0.0.1:8080"
    assert frame_origin("https://lms.example.go.id/path") == ""
    assert frame_origin("https://lms.example.go.id 'unsafe-inline'") == ""
