"""The participant's evaluation form: every statement required, each target sent once."""

from __future__ import annotations

import re

from courses.tables import EvaluationResponse
from tests.courses.builders.delivery import running_today
from tests.lms.web.test_shell import csrf_of, login


async def _as(web, actor):
    resp = await login(web, actor.username, "rahasia-123")
    assert resp.status_code == 303, resp.text


async def test_the_evaluation_form_checks_every_statement_and_sends_each_target_once(
    app, client, web, organizer, unit
):
    session, trainer, (andi, _) = await running_today(client, app, organizer, unit["id"])
    await _as(web, andi)
    url = f"/saya/sesi/{session['id']}/evaluasi"
    page = await web.get(url)
    assert page.status_code == 200
    assert "Penyelenggaraan pelatihan" in page.text and "Narasumber: " in page.text
    csrf = csrf_of(page.text)
    codes = re.findall(r'name="a-([a-z_]+)" value="1"', page.text)
    organization_codes = codes[:5]

    partial = {"_csrf_token": csrf, "sasaran": "organization", "a-" + organization_codes[0]: "4"}
    bad = await web.post(url, data=partial)
    assert bad.status_code == 422
    assert bad.text.count("Pilih salah satu nilai.") == 4
    assert 'value="4" required checked' in bad.text  # what was chosen stays chosen

    full = {"_csrf_token": csrf, "sasaran": "organization", "komentar": "Ruangan sejuk."}
    full |= {f"a-{code}": "3" for code in organization_codes}
    sent = await web.post(url, data=full)
    assert sent.status_code == 303 and sent.headers["location"] == url
    again = await web.get(url)
    assert "Sudah diisi" in again.text
    trainer_form = {"_csrf_token": csrf, "sasaran": f"trainer:{trainer['id']}"}
    trainer_form |= {f"a-{code}": "4" for code in codes[5:10]}
    last = await web.post(url, data=trainer_form)
    assert last.headers["location"] == f"/saya/sesi/{session['id']}?pesan=evaluasi"
    assert await EvaluationResponse.count().where(EvaluationResponse.person == andi.person_id) == 2
    done = await web.get(last.headers["location"])
    assert "Semua evaluasi sudah diisi" in done.text
