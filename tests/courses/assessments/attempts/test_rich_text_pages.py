"""GIFT's ``[html]`` question text on the pages: cleaned markup on the participant's quiz,
confirm and review pages and the trainer's essay queue; hostile markup neutralized; a
question in any other format shows its tags as text."""

from __future__ import annotations

import datetime as dt
import re

from tests.courses.builders.assessments import bank_questions, create_bank, create_quiz, import_text
from tests.courses.builders.delivery import teach
from tests.lms.web.test_shell import csrf_of, login

GIFT = r"""
::Tabel HTML::[html]<p>Lihat <b>tabel</b> berikut.<script>alert(1)</script></p><table><tr><th>Jam</th><td>08.00</td></tr></table><img src\="x" onerror\="alert(2)"><a href\="javascript\:alert(3)">klik</a><span style\="color\:red">merah</span>{
=<b>Buka</b> pukul 08.00
~<i>Tutup</i><script>alert(5)</script>
}

::Polos::Apa arti tanda <b> di sini?{T}

::Esai HTML::[html]<p>Jelaskan <em>SOP</em> loket.</p><script>alert(4)</script>{}
"""  # noqa: E501

HOSTILE = ("alert(", "onerror", "javascript:", "color:red", "<img", "<span style")


def _clean(html: str) -> None:
    for bad in HOSTILE:
        assert bad not in html, bad


async def test_html_questions_are_cleaned_on_every_page_and_plain_ones_stay_text(
    app, client, web, world, trainer_user
):
    bank = await create_bank(client, world.organizer, "Bank HTML")
    await import_text(client, world.organizer, bank["id"], GIFT)
    questions = {q["title"]: q for q in await bank_questions(client, world.organizer, bank["id"])}
    assert questions["Tabel HTML"]["question"]["text_format"] == "html"
    quiz = await create_quiz(
        client,
        world.organizer,
        world.session["id"],
        selection=[questions[t]["id"] for t in ("Tabel HTML", "Polos", "Esai HTML")],
        shuffle_questions=False,
        shuffle_options=False,
        review={"after_submit": "correct", "after_close": "correct"},
    )
    participant = world.participants[0]
    await login(web, participant.username, "rahasia-123")
    start = await web.get(f"/saya/kuis/{quiz['id']}")
    made = await web.post(f"/saya/kuis/{quiz['id']}", data={"_csrf_token": csrf_of(start.text)})
    attempt_url = made.headers["location"]
    page = (await web.get(attempt_url)).text

    _clean(page)
    assert (
        '<div class="qtext rich"><p>Lihat <b>tabel</b> berikut.</p><table><tbody><tr>'
        "<th>Jam</th><td>08.00</td></tr></tbody></table>klikmerah</div>"
    ) in page
    assert "<span><b>Buka</b> pukul 08.00</span>" in page  # an option keeps inline markup
    assert "<span><i>Tutup</i></span>" in page
    assert '<div class="qtext">Apa arti tanda &lt;b&gt; di sini?</div>' in page  # not html: text
    assert "<p>Jelaskan <em>SOP</em> loket.</p>" in page

    ids = re.findall(r'data-question="([0-9a-f-]{36})"', page)
    option = re.search(rf'name="q-{ids[0]}" value="([^"]+)"', page).group(1)
    token = csrf_of(page)
    saved = await web.post(
        attempt_url, data={"_csrf_token": token, f"q-{ids[0]}": option, "aksi": "simpan"}
    )
    assert saved.status_code == 303
    confirm = await web.get(f"{attempt_url}/kumpulkan")
    assert confirm.status_code == 200
    _clean(confirm.text)
    assert "Jelaskan SOP loket." in confirm.text  # the unanswered essay, as words
    assert "Apa arti tanda &lt;b&gt; di sini?" in confirm.text

    essay_id = ids[2]
    resp = await client.put(
        f"/api/v1/attempts/{attempt_url.rsplit('/', 1)[1]}/answers/{essay_id}",
        json={"type": "essay", "text": "<script>hapus()</script> Senyum & sapa."},
        headers=participant.headers,
    )
    assert resp.status_code == 200, resp.text
    sent = await client.post(
        f"/api/v1/attempts/{attempt_url.rsplit('/', 1)[1]}/submit", headers=participant.headers
    )
    assert sent.status_code == 200, sent.text
    review = await web.get(f"/saya/percobaan/{attempt_url.rsplit('/', 1)[1]}/ulasan")
    assert review.status_code == 200, review.text
    _clean(review.text)
    assert "<b>tabel</b>" in review.text and "<th>Jam</th>" in review.text
    assert 'Jawaban: <span class="answer">Buka pukul 08.00</span>' in review.text
    assert "&lt;script&gt;hapus()&lt;/script&gt; Senyum &amp; sapa." in review.text

    await teach(client, world.organizer, world.session, trainer_user, dt.date(2026, 11, 18))
    await login(web, trainer_user.username, "rahasia-123")
    queue = await web.get(f"/latih/sesi/{world.session['id']}/esai")
    assert queue.status_code == 200
    _clean(queue.text)
    assert (
        '<div class="latih-question rich"><p>Jelaskan <em>SOP</em> loket.</p></div>' in queue.text
    )
    assert "&lt;script&gt;hapus()&lt;/script&gt;" in queue.text  # the answer stays text


async def test_the_bank_export_is_a_plain_text_download_of_the_markup_as_written(client, world):
    bank = await create_bank(client, world.organizer, "Bank HTML")
    await import_text(client, world.organizer, bank["id"], GIFT)
    resp = await client.get(
        f"/api/v1/question-banks/{bank['id']}/export?format=gift", headers=world.organizer.headers
    )
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/plain")
    assert resp.headers["content-disposition"].startswith("attachment;")
    assert resp.headers["x-content-type-options"] == "nosniff"
    # GIFT round-trips the question as its author wrote it (the pages clean it when shown).
    assert "[html]<p>Lihat <b>tabel</b> berikut." in resp.text
