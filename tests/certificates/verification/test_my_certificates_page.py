"""``/saya/sertifikat``, ``/saya/hasil`` and ``/saya/jp`` for a holder of an issued
certificate: the download, the verify link to share, the final result and the JP credited."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

import pytest

from courses.tables import Enrollment
from tests.certificates.builders.issuing import (  # noqa: F401 (render_pool is a fixture)
    finalized_session,
    holder_actor,
    issue_and_wait,
    render_pool,
    set_profile,
)
from tests.lms.web.test_shell import login

pytestmark = pytest.mark.usefixtures("render_pool")


async def test_a_holder_sees_their_certificate_result_and_jp(app, client, web, organizer, unit):
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    job = await issue_and_wait(client, organizer, world.session_id)
    assert job["result"]["issued"] == 3
    holder = next(h for h in world.holders if h.passed)
    me = await holder_actor(app, holder, unit)
    # The builder writes results only; the holder's place in the class, as finalizing leaves it.
    now = dt.datetime.now(dt.UTC)
    await Enrollment.insert(
        Enrollment(
            id=uuid4(),
            session=world.session_id,
            person=holder.person_id,
            status="completed",
            enrolled_at=now,
            updated_at=now,
            natural_key=f"{world.session_id}:{holder.person_id}",
        )
    )
    mine = await client.get("/api/v1/certificates", headers=me.headers)
    certificate = mine.json()["items"][0]
    assert mine.json()["total"] == 1

    assert (await login(web, me.username, "rahasia-123")).status_code == 303
    page = await web.get("/saya/sertifikat")
    assert page.status_code == 200
    html = page.text
    assert certificate["number"] in html
    assert f'href="/saya/sertifikat/{certificate["id"]}/pdf"' in html
    verify = certificate["links"]["verify"]
    assert f'href="{verify}"' in html and f'<p class="share">{verify}</p>' in html
    pdf = await web.get(f"/saya/sertifikat/{certificate['id']}/pdf")
    assert pdf.content.startswith(b"%PDF-")

    results = await web.get("/saya/hasil")
    assert holder.predikat in results.text and '<span class="badge ok">Lulus</span>' in results.text
    assert "Sementara" not in results.text

    jp = await web.get("/saya/jp")
    assert "<strong>24 JP</strong> dari target 20 JP setahun." in jp.text
    assert "Target tercapai" in jp.text
