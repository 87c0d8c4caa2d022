"""The issuing pipeline's hard cases: numbers taken meanwhile, a certificate that cannot be
rendered, re-issue with ``issue_one``, and concurrent issuers."""

from __future__ import annotations

import asyncio

import pytest

from certificates.tables import Certificate
from lms.config import get_settings
from tests.certificates.builders.issuing import (  # noqa: F401 (render_pool is a fixture)
    finalized_session,
    number,
    organizer_caller,
    pdf_text,
    render_pool,
    set_profile,
)

PATTERN = "{seq:03d}/PP/DPMPTSP/{month_roman}/{year}"

pytestmark = pytest.mark.usefixtures("render_pool")


class OtherServerMeanwhile:
    """A renderer that lets "another server" claim numbers while the first chunk renders."""

    def __init__(self, renderer, steal: int) -> None:
        self.renderer = renderer
        self.chunk_size = renderer.chunk_size
        self.workers = renderer.workers
        self.steal = steal
        self.calls = 0

    async def render_many(self, template, snapshots):
        from certificates.issuing import numbering

        self.calls += 1
        if self.steal:
            steal, self.steal = self.steal, 0
            key = numbering.sequence_key(PATTERN, _issue_year(snapshots[0]))
            async with Certificate._meta.db.transaction():
                await numbering.claim(key, steal)
        async for item in self.renderer.render_many(template, snapshots):
            yield item


def _issue_year(snapshot) -> int:
    return int(snapshot.number.rsplit("/", 1)[1])


async def _numbers(session_id) -> list[tuple[str, str, str]]:
    rows = await Certificate.select(
        Certificate.number, Certificate.holder_name, Certificate.pdf_sha256
    ).where(Certificate.session_id == session_id)
    return sorted((r["number"], r["holder_name"], r["pdf_sha256"]) for r in rows)


async def test_numbers_taken_meanwhile_are_rendered_again(
    app, client, organizer, unit, monkeypatch
):
    from certificates.issuing import service as issuing
    from certificates.rendering.pool import get_renderer
    from certificates.rendering.storage import store_for

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    other = OtherServerMeanwhile(await get_renderer(get_settings()), steal=2)

    async def fake_renderer(settings=None):
        return other

    monkeypatch.setattr(issuing, "get_renderer", fake_renderer)

    report = await issuing.issue_session(world.session_id, settings=get_settings(), actor=None)

    assert (report.issued, report.skipped, report.failed) == (3, 0, 0)
    rows = await _numbers(world.session_id)
    assert [(n, name) for n, name, _ in rows] == [
        (number(3), "Afrizal, S.Sos."),
        (number(4), "Drs. Muh. Ma'ruf, S.Sos., M.Si."),
        (number(5), "Ni Made Ayu Suartini, A.Md."),
    ]
    store = store_for(app.state.settings)
    for printed, _, sha in rows:
        assert f"Nomor: {printed}" in pdf_text(store.read_pdf(sha))
    assert other.calls == 2  # the first render was thrown away


async def test_a_certificate_that_cannot_be_rendered_is_reported_and_the_rest_issued(
    app, client, organizer, unit
):
    from certificates.rendering.templating import default_template
    from lms.jobs import runner
    from tests.certificates.builders.issuing import job_row

    people = [
        ("Afrizal", "", "", "198703152010011002", "pns", "III/d", True, "Memuaskan", "86.50"),
        ("Budi Santoso", "", "", None, "non_asn", "", True, "Memuaskan", "85.00"),
        ("Zainal Abidin", "", "", "198801012012121003", "pns", "III/a", True, "Memuaskan", "88"),
    ]
    world = await finalized_session(organizer, unit, people)
    # A unit template that only works for holders with a NIP.
    html = default_template().html.replace(
        "{{ number }}", "{{ number }} / {{ holder.nip_display[:8] }}", 1
    )
    resp = await client.post(
        "/api/v1/certificate-templates",
        json={"name": "Dengan NIP", "html": html, "css": default_template().css},
        headers=organizer.headers,
    )
    assert resp.status_code == 201, resp.text
    await set_profile(client, organizer, template_id=resp.json()["id"])

    job_id = await runner.submit(
        "certificates.issue",
        {"session_id": str(world.session_id)},
        actor=None,
        settings=get_settings(),
    )
    await runner.wait_for_jobs(300)

    job = await job_row(job_id)
    assert job["result"] == {"issued": 2, "skipped": 0, "failed": 1}
    assert (job["done"], job["total"]) == (3, 3)
    [error] = job["errors"]
    budi = world.holders[1].person_id
    assert (error["person_id"], error["name"]) == (str(budi), "Budi Santoso")
    assert error["message"].startswith("PDF sertifikat gagal dibuat: Templat gagal diisi")
    rows = await _numbers(world.session_id)
    assert [(n, name) for n, name, _ in rows] == [
        (number(1), "Afrizal"),
        (number(2), "Zainal Abidin"),
    ]


async def test_issue_one_reissues_with_a_new_number_and_supersedes(app, client, organizer, unit):
    from certificates.issuing.service import issue_one
    from lms.people.tables import Person
    from lms.shared.errors import Conflict

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    caller = organizer_caller(organizer, unit)
    ayu = world.holders[2]
    first = await issue_one(
        settings=get_settings(), session_id=world.session_id, person_id=ayu.person_id, actor=caller
    )
    assert (first["number"], first["status"]) == (number(1), "valid")

    await Person.update({Person.name: "Ni Made Ayu Suartini Dewi"}).where(
        Person.id == ayu.person_id
    )
    second = await issue_one(
        settings=get_settings(),
        session_id=world.session_id,
        person_id=ayu.person_id,
        actor=caller,
        supersedes=first["id"],
    )

    assert (second["number"], second["supersedes"], second["status"]) == (
        number(2),
        first["id"],
        "valid",
    )
    assert second["code"] != first["code"]
    assert second["holder_name"] == "Ni Made Ayu Suartini Dewi, A.Md."
    old = await Certificate.select().where(Certificate.id == first["id"]).first()
    assert (old["status"], old["superseded_by"], old["holder_name"]) == (
        "superseded",
        second["id"],
        "Ni Made Ayu Suartini, A.Md.",
    )
    with pytest.raises(Conflict):
        await issue_one(
            settings=get_settings(),
            session_id=world.session_id,
            person_id=ayu.person_id,
            actor=caller,
            supersedes=first["id"],
        )
    # The failed re-issue took no number: the next one is 003.
    third = await issue_one(
        settings=get_settings(), session_id=world.session_id, person_id=ayu.person_id, actor=caller
    )
    assert third["number"] == number(3)


async def test_concurrent_jobs_of_one_session_issue_each_person_once(app, client, organizer, unit):
    from certificates.issuing.service import issue_session

    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)

    reports = await asyncio.gather(
        issue_session(world.session_id, settings=get_settings(), actor=None),
        issue_session(world.session_id, settings=get_settings(), actor=None),
    )

    assert sorted((r.issued, r.skipped) for r in reports) == [(0, 3), (3, 0)]
    rows = await _numbers(world.session_id)
    assert [n for n, _, _ in rows] == [number(1), number(2), number(3)]
