"""Certificates to SIASN's riwayat kursus, against a fake SIASN on a local port: both tokens,
the saved course and its PDF, retries after a 500 or a timeout, a refusal with its reason,
idempotency, token refresh, HR's scope, and the /sdm/siasn page."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from certificates.siasn import client as siasn_client
from certificates.siasn import service
from certificates.siasn.client import SiasnClient, SiasnConfig, SiasnError
from tests.certificates.builders.issuing import (  # noqa: F401 (render_pool is a fixture)
    finalized_session,
    issue_and_wait,
    number,
    render_pool,
    set_profile,
)
from tests.certificates.siasn.fake_siasn import (
    API,
    CLIENT_ID,
    CLIENT_SECRET,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    INSTANSI_ID,
    SSO_PATH,
    FakeSiasn,
    FakeSiasnServer,
)
from tests.factories import make_actor
from tests.lms.web.test_shell import csrf_of, login

pytestmark = pytest.mark.usefixtures("render_pool")

AFRIZAL = "198703152010011002"
MARUF = "198609262015051001"
SUARTINI = "198604272022211011"  # PPPK: not in the fake's SIASN


@dataclass
class Siasn:
    """The fake server and the configuration Prima reads (None: SIASN off)."""

    fake: FakeSiasn
    config: SiasnConfig | None


@pytest.fixture
def siasn(monkeypatch) -> Iterator[Siasn]:
    with FakeSiasnServer() as fake:
        fake.people = {AFRIZAL: "orang-afrizal", MARUF: "orang-maruf"}
        env = Siasn(
            fake,
            SiasnConfig(
                api_url=fake.base + API,
                token_url=fake.base + "/oauth2/token",
                sso_token_url=fake.base + SSO_PATH,
                consumer_key=CONSUMER_KEY,
                consumer_secret=CONSUMER_SECRET,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                instansi_id=INSTANSI_ID,
                timeout=5.0,
            ),
        )
        monkeypatch.setattr(siasn_client, "siasn_config", lambda settings: env.config)
        monkeypatch.setattr(service, "BACKOFF", (0.0, 0.01, 0.01))
        yield env


async def _settle() -> None:
    """Wait for the issuing job and the push job it started."""
    from lms.jobs.runner import wait_for_jobs

    for _ in range(3):
        await wait_for_jobs(60)


async def _issue(client, organizer, unit):
    world = await finalized_session(organizer, unit)
    await set_profile(client, organizer)
    job = await issue_and_wait(client, organizer, world.session_id)
    assert job["result"]["issued"] == 3
    await _settle()
    return world


async def _statuses(client, actor, **params) -> dict[str, dict]:
    resp = await client.get(
        "/api/v1/siasn/pushes", params={"year": 2026, **params}, headers=actor.headers
    )
    assert resp.status_code == 200, resp.text
    return {item["nip"]: item for item in resp.json()["items"]}


async def test_issued_certificates_go_to_siasn_with_both_tokens_and_the_pdf(
    client, organizer, hr, unit, siasn
):
    await _issue(client, organizer, unit)
    fake = siasn.fake

    statuses = await _statuses(client, hr)
    afrizal, maruf, suartini = statuses[AFRIZAL], statuses[MARUF], statuses[SUARTINI]
    assert (afrizal["status"], maruf["status"]) == ("sent", "sent")
    assert afrizal["status_label"] == "terkirim" and afrizal["document_sent"] is True
    assert suartini["status"] == "failed"
    assert suartini["last_error"] == f"NIP {SUARTINI} tidak ditemukan di SIASN."
    assert suartini["attempts"] == 1  # a refusal is not retried
    # One token of each kind served every call; no call went without both.
    assert fake.token_requests == {"wso": 1, "sso": 1}
    assert fake.unauthorized == 0
    assert fake.riwayat[afrizal["siasn_id"]] == {
        "id": None,
        "instansiId": INSTANSI_ID,
        "institusiPenyelenggara": unit["name"],
        "jenisDiklatId": 3,
        "jenisKursus": "",
        "jenisKursusSertipikat": "",
        "jumlahJam": 24,
        "lokasiId": "",
        "namaKursus": "Pelatihan Pelayanan Prima Angkatan I",
        "nomorSertipikat": number(1),
        "pnsOrangId": "orang-afrizal",
        "tahunKursus": 2026,
        "tanggalKursus": "18-11-2026",
        "tanggalSelesaiKursus": "20-11-2026",
    }
    document = fake.documents[afrizal["siasn_id"]]
    assert document["ref"] == "874"
    assert document["pdf"].startswith(b"%PDF-")
    assert len(fake.riwayat) == 2 and len(fake.documents) == 2


async def test_the_pdf_sent_is_the_certificate_as_issued(client, organizer, hr, unit, siasn):
    await _issue(client, organizer, unit)
    statuses = await _statuses(client, hr)
    certificate_id = statuses[AFRIZAL]["certificate_id"]
    detail = await client.get(f"/api/v1/certificates/{certificate_id}", headers=hr.headers)
    assert detail.status_code == 200, detail.text
    pdf = siasn.fake.documents[statuses[AFRIZAL]["siasn_id"]]["pdf"]
    assert hashlib.sha256(pdf).hexdigest() == detail.json()["pdf_sha256"]


async def test_a_500_is_tried_again_and_then_sent_once(client, organizer, hr, unit, siasn):
    siasn.fake.fail["save"] = [500, 503]
    await _issue(client, organizer, unit)

    statuses = await _statuses(client, hr)
    assert statuses[AFRIZAL]["status"] == "sent"
    assert statuses[MARUF]["status"] == "sent"
    assert statuses[AFRIZAL]["attempts"] + statuses[MARUF]["attempts"] == 4
    assert len(siasn.fake.riwayat) == 2  # the failed saves stored nothing


async def test_a_failed_upload_is_retried_without_saving_the_course_again(
    client, organizer, hr, unit, siasn
):
    siasn.fake.fail["upload"] = [500]
    await _issue(client, organizer, unit)

    statuses = await _statuses(client, hr)
    assert {statuses[AFRIZAL]["status"], statuses[MARUF]["status"]} == {"sent"}
    assert siasn.fake.count("save") == 2
    assert siasn.fake.count("upload") == 3
    assert len(siasn.fake.riwayat) == 2 and len(siasn.fake.documents) == 2


async def test_siasn_down_on_every_try_leaves_the_reason(client, organizer, hr, unit, siasn):
    siasn.fake.fail["data-utama"] = [500] * 9
    await _issue(client, organizer, unit)

    statuses = await _statuses(client, hr)
    for nip in (AFRIZAL, MARUF, SUARTINI):
        assert statuses[nip]["status"] == "failed"
        assert statuses[nip]["attempts"] == 3
        assert statuses[nip]["last_error"] == (
            "SIASN sedang bermasalah (HTTP 500): Internal Server Error"
        )
    assert siasn.fake.riwayat == {}
    from lms.jobs.tables import Job

    job = await Job.select().where(Job.kind == service.JOB_KIND).output(load_json=True).first()
    assert job["status"] == "succeeded"
    assert job["result"] == {"sent": 0, "failed": 3}
    assert {e["message"] for e in job["errors"]} == {
        "SIASN sedang bermasalah (HTTP 500): Internal Server Error"
    }


async def test_a_timeout_is_tried_again(client, organizer, hr, unit, siasn):
    assert siasn.config is not None
    siasn.config = dataclasses.replace(siasn.config, timeout=0.5)
    siasn.fake.fail["data-utama"] = ["timeout"]
    await _issue(client, organizer, unit)

    statuses = await _statuses(client, hr)
    assert {statuses[AFRIZAL]["status"], statuses[MARUF]["status"]} == {"sent"}
    # Whichever certificate met the timeout was tried once more; the others once.
    assert sorted(s["attempts"] for s in statuses.values()) == [1, 1, 2]


async def test_a_timeout_on_every_try_says_so(client, organizer, hr, unit, siasn):
    assert siasn.config is not None
    siasn.config = dataclasses.replace(siasn.config, timeout=0.3)
    siasn.fake.fail["data-utama"] = ["timeout"] * 9
    await _issue(client, organizer, unit)

    statuses = await _statuses(client, hr)
    assert statuses[AFRIZAL]["status"] == "failed"
    assert statuses[AFRIZAL]["last_error"] == "SIASN tidak menjawab dalam 0.3 detik."


async def test_wrong_credentials_fail_without_sending(client, organizer, hr, unit, siasn):
    assert siasn.config is not None
    siasn.config = dataclasses.replace(siasn.config, client_secret="keliru")
    await _issue(client, organizer, unit)

    statuses = await _statuses(client, hr)
    assert statuses[AFRIZAL]["status"] == "failed"
    assert statuses[AFRIZAL]["last_error"] == (
        "SSO SIASN tidak memberi token (HTTP 401); periksa kredensial SIASN di konfigurasi Prima."
    )
    assert "keliru" not in statuses[AFRIZAL]["last_error"]
    assert siasn.fake.calls == [] and siasn.fake.riwayat == {}


async def test_pushing_again_sends_nothing_twice(client, organizer, hr, unit, siasn):
    world = await _issue(client, organizer, unit)
    saves = siasn.fake.count("save")

    again = await client.post(f"/api/v1/sessions/{world.session_id}/siasn/push", headers=hr.headers)
    assert again.status_code == 202, again.text
    body = again.json()
    await _settle()
    assert body["queued"] == 1  # only the failed one is tried again
    reasons = sorted(s["reason"] for s in body["skipped"])
    assert len(reasons) == 2 and all(r.startswith("sudah terkirim (id SIASN ") for r in reasons)
    assert siasn.fake.count("save") == saves
    statuses = await _statuses(client, hr)
    one = await client.post(
        f"/api/v1/certificates/{statuses[AFRIZAL]['certificate_id']}/siasn/push",
        headers=hr.headers,
    )
    assert one.status_code == 409
    assert "sudah terkirim" in one.json()["detail"]


async def test_the_job_run_twice_sends_once(client, organizer, hr, unit, siasn):
    config, siasn.config = siasn.config, None  # off while issuing: nothing queued
    await _issue(client, organizer, unit)
    assert siasn.fake.calls == []
    siasn.config = config
    statuses = await _statuses(client, hr)
    assert {s["status"] for s in statuses.values()} == {"not_sent"}

    from certificates.tables import Certificate
    from lms.config import get_settings

    certs = await Certificate.select().where(Certificate.holder_name.like("Afrizal%"))
    accepted = await service.queue_certificates(certs, get_settings(), actor=None, again=False)
    assert accepted.queued == 1
    await _settle()
    from lms.jobs import runner

    await runner.submit(
        service.JOB_KIND,
        {"push_ids": [str(p["id"]) for p in await service.SiasnPush.select(service.SiasnPush.id)]},
        actor=None,
        settings=get_settings(),
    )
    await _settle()
    assert siasn.fake.count("save") == 1 and siasn.fake.count("upload") == 1
    assert (await _statuses(client, hr))[AFRIZAL]["status"] == "sent"


async def test_an_expired_token_is_fetched_again(siasn):
    assert siasn.config is not None
    client = SiasnClient(siasn.config)
    assert await client.orang_id(AFRIZAL) == "orang-afrizal"
    siasn.fake.expire_tokens()
    assert await client.orang_id(MARUF) == "orang-maruf"
    assert siasn.fake.token_requests == {"wso": 2, "sso": 2}
    assert siasn.fake.unauthorized == 1
    with pytest.raises(SiasnError) as refused:
        await client.orang_id(SUARTINI)
    assert refused.value.retry is False


async def test_hr_of_another_unit_sees_and_sends_nothing(
    app, client, organizer, hr, unit, other_unit, siasn
):
    config, siasn.config = siasn.config, None
    world = await _issue(client, organizer, unit)
    siasn.config = config
    stranger = await make_actor(app, "hr", unit_id=other_unit["id"])
    statuses = await _statuses(client, hr)

    resp = await client.post(
        f"/api/v1/certificates/{statuses[AFRIZAL]['certificate_id']}/siasn/push",
        headers=stranger.headers,
    )
    assert resp.status_code == 404
    assert resp.json()["detail"] == "Sertifikat tidak ditemukan."
    resp = await client.post(
        f"/api/v1/sessions/{world.session_id}/siasn/push", headers=stranger.headers
    )
    assert resp.status_code == 404
    assert await _statuses(client, stranger) == {}
    forbidden = await client.get(
        "/api/v1/siasn/pushes", params={"year": 2026}, headers=organizer.headers
    )
    assert forbidden.status_code == 403
    assert siasn.fake.calls == []


async def test_without_configuration_the_push_is_refused_and_the_export_stays(
    client, organizer, hr, unit, siasn
):
    siasn.config = None
    await _issue(client, organizer, unit)
    statuses = await _statuses(client, hr)
    resp = await client.post(
        f"/api/v1/certificates/{statuses[AFRIZAL]['certificate_id']}/siasn/push",
        headers=hr.headers,
    )
    assert resp.status_code == 422
    assert resp.json()["detail"].startswith("Pengiriman ke SIASN belum dikonfigurasi")
    export = await client.get(
        "/api/v1/reports/siasn-export", params={"year": 2026, "format": "json"}, headers=hr.headers
    )
    assert export.status_code == 200 and export.json()["total"] == 3


async def test_the_hr_page_lists_each_status_and_sends_again(
    app, client, web, organizer, root_unit, unit, siasn
):
    siasn.fake.people.pop(MARUF)
    await _issue(client, organizer, unit)
    await make_actor(app, "hr", unit_id=root_unit["id"], username="hr-siasn")
    assert (await login(web, "hr-siasn", "rahasia-123")).status_code == 303

    page = await web.get("/sdm/siasn", params={"tahun": 2026})
    assert page.status_code == 200
    html = page.text
    assert "Pengiriman ke SIASN 2026" in html
    assert "terkirim" in html and "gagal" in html
    assert f"Alasan: NIP {MARUF} tidak ditemukan di SIASN." in html
    assert html.count(">Kirim ulang<") == 2  # Ma'ruf and the PPPK holder

    siasn.fake.people[MARUF] = "orang-maruf"
    statuses = await _statuses(client, await make_actor(app, "hr", unit_id=root_unit["id"]))
    target = statuses[MARUF]["certificate_id"]
    refused = await web.post(f"/sdm/siasn/{target}/kirim", data={"tahun": "2026"})
    assert refused.status_code == 403  # no CSRF token
    sent = await web.post(
        f"/sdm/siasn/{target}/kirim", data={"tahun": "2026", "_csrf_token": csrf_of(html)}
    )
    assert sent.status_code == 303
    assert sent.headers["location"].startswith("/sdm/siasn?")
    await _settle()
    after = await web.get(sent.headers["location"])
    assert "masuk antrean pengiriman ke SIASN" in after.text
    assert after.text.count(">Kirim ulang<") == 1


async def test_a_reissued_certificate_updates_the_record_in_siasn(
    client, organizer, hr, unit, siasn
):
    await _issue(client, organizer, unit)
    statuses = await _statuses(client, hr)
    old = statuses[AFRIZAL]
    resp = await client.post(
        f"/api/v1/certificates/{old['certificate_id']}/reissue",
        json={"reason": "Salah ketik gelar"},
        headers=organizer.headers,
    )
    assert resp.status_code == 201, resp.text
    new = (await _statuses(client, hr))[AFRIZAL]
    assert new["certificate_id"] != old["certificate_id"] and new["status"] == "not_sent"
    pushed = await client.post(
        f"/api/v1/certificates/{new['certificate_id']}/siasn/push", headers=hr.headers
    )
    assert pushed.status_code == 202, pushed.text
    await _settle()
    new = (await _statuses(client, hr))[AFRIZAL]
    assert new["status"] == "sent" and new["siasn_id"] == old["siasn_id"]
    assert len(siasn.fake.riwayat) == 2
    assert siasn.fake.riwayat[old["siasn_id"]]["id"] == old["siasn_id"]
    assert siasn.fake.riwayat[old["siasn_id"]]["nomorSertipikat"] == number(4)
