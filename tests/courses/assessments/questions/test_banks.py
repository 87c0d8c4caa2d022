"""Question banks through the API: scope, import of both sample files, errors by line, the
organizer's view with answer keys, questions by hand, export that imports back the same."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.courses.builders.assessments import (
    BANK_FILE,
    MOODLE_FILE,
    bank_questions,
    create_bank,
    import_text,
)
from tests.factories import make_actor, make_person

INDONESIAN_TYPES = {
    "single_choice": 10,
    "true_false": 5,
    "numerical": 3,
    "short_answer": 2,
    "multiple_choice": 1,
    "matching": 1,
    "essay": 1,
}
MOODLE_TYPES = {
    "single_choice": 16,
    "short_answer": 9,
    "numerical": 8,
    "true_false": 5,
    "matching": 3,
    "multiple_choice": 2,
}


async def test_import_indonesian_bank_as_multipart_file(client, organizer):
    bank = await create_bank(client, organizer)
    resp = await client.post(
        f"/api/v1/question-banks/{bank['id']}/import",
        files={"file": ("bank_soal.gift", BANK_FILE.read_bytes(), "application/octet-stream")},
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"imported": 23, "by_type": INDONESIAN_TYPES, "errors": []}
    bank_read = (
        await client.get(f"/api/v1/question-banks/{bank['id']}", headers=organizer.headers)
    ).json()
    assert bank_read["question_count"] == 23
    assert bank_read["categories"] == [
        "Pelayanan Prima/Dasar Hukum",
        "Pelayanan Prima/Pengaduan dan Mutu",
        "Pelayanan Prima/Sikap dan Perilaku",
    ]


async def test_import_moodle_examples_as_multipart_file_guesses_gift(client, organizer):
    bank = await create_bank(client, organizer)
    resp = await client.post(
        f"/api/v1/question-banks/{bank['id']}/import",
        files={"file": ("examples.txt", MOODLE_FILE.read_bytes(), "text/plain")},
        headers=organizer.headers,
    )
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"imported": 43, "by_type": MOODLE_TYPES, "errors": []}


async def test_organizer_view_has_answer_keys_and_weights(client, organizer):
    bank = await create_bank(client, organizer)
    await import_text(client, organizer, bank["id"], BANK_FILE.read_text(encoding="utf-8"))
    questions = await bank_questions(client, organizer, bank["id"])
    uu = next(q for q in questions if q["title"] == "UU Pelayanan Publik")
    assert uu["category"] == "Pelayanan Prima/Dasar Hukum"
    assert uu["type"] == "single_choice"
    assert uu["points"] == "1.00"
    right = [o for o in uu["question"]["options"] if o["weight"] == "100"]
    assert [o["text"] for o in right] == ["UU Nomor 25 Tahun 2009"]
    assert right[0]["feedback"] == "Benar. UU 25/2009 tentang Pelayanan Publik."
    berakhlak = next(q for q in questions if q["title"] == "Berorientasi Pelayanan")
    weights = sorted(Decimal(o["weight"]) for o in berakhlak["question"]["options"])
    assert weights == [
        Decimal("-50"),
        Decimal("-50"),
        Decimal("33.33333"),
        Decimal("33.33333"),
        Decimal("33.33334"),
    ]


async def test_question_filters_by_category_with_subcategories_and_type(client, organizer):
    bank = await create_bank(client, organizer)
    await import_text(client, organizer, bank["id"], BANK_FILE.read_text(encoding="utf-8"))
    base = f"/api/v1/question-banks/{bank['id']}/questions"
    resp = await client.get(
        base, params={"category": "Pelayanan Prima/Dasar Hukum"}, headers=organizer.headers
    )
    assert resp.json()["total"] == 6
    resp = await client.get(base, params={"category": "Pelayanan Prima"}, headers=organizer.headers)
    assert resp.json()["total"] == 23
    resp = await client.get(base, params={"type": "true_false"}, headers=organizer.headers)
    assert resp.json()["total"] == 5
    assert {q["type"] for q in resp.json()["items"]} == {"true_false"}
    resp = await client.get(base, params={"limit": 5, "offset": 20}, headers=organizer.headers)
    assert resp.json()["total"] == 23 and len(resp.json()["items"]) == 3


async def test_unreadable_questions_are_reported_by_line_and_the_rest_imported(client, organizer):
    bank = await create_bank(client, organizer)
    text = (
        "::Baik::Soal baik {=ya ~tidak}\n\n"
        "::Rusak::Soal rusak {=satu ~dua\n\n"
        "::Juga baik::Benar? {T}\n"
    )
    report = await import_text(client, organizer, bank["id"], text)
    assert report["imported"] == 2
    assert report["by_type"] == {"single_choice": 1, "true_false": 1}
    assert report["errors"] == [
        {
            "line": 3,
            "message": "Kurung kurawal { } jawaban tidak berpasangan. Tulis kurung kurawal di "
            "dalam teks sebagai \\{ dan \\}.",
            "snippet": "::Rusak::Soal rusak {=satu ~dua",
        }
    ]


async def test_aiken_import_as_json_text(client, organizer):
    bank = await create_bank(client, organizer)
    text = (
        "Apa kepanjangan SKM?\nA. Survei Kepuasan Masyarakat\nB. Sistem Kinerja Mandiri\n"
        "ANSWER: A\n\n"
        "Pertanyaan tanpa jawaban\nA. satu\nB. dua\n\n"
        "Berapa unsur SKM?\nA) 5\nB) 9\nC) 12\nANSWER: B\n"
    )
    report = await import_text(client, organizer, bank["id"], text, fmt="aiken")
    assert report["imported"] == 2
    assert report["by_type"] == {"single_choice": 2}
    assert report["errors"] == [
        {
            "line": 6,
            "message": "Soal tidak diakhiri baris 'ANSWER: <huruf>'.",
            "snippet": "Pertanyaan tanpa jawaban A. satu B. dua",
        }
    ]
    questions = await bank_questions(client, organizer, bank["id"])
    unsur = next(q for q in questions if q["text"] == "Berapa unsur SKM?")
    right = next(o for o in unsur["question"]["options"] if o["weight"] == "100")
    assert right["text"] == "9"


async def test_import_rejects_a_bad_body_and_an_unknown_format(client, organizer):
    bank = await create_bank(client, organizer)
    url = f"/api/v1/question-banks/{bank['id']}/import"
    resp = await client.post(url, json={"format": "qti", "text": "x"}, headers=organizer.headers)
    assert resp.status_code == 400
    resp = await client.post(
        url,
        files={"file": ("a.txt", b"::A::B {T}", "text/plain")},
        data={"format": "xml"},
        headers=organizer.headers,
    )
    assert resp.status_code == 400
    assert "Format 'xml' tidak dikenal" in resp.json()["detail"]
    resp = await client.post(
        url, data={"format": "gift"}, files={"other": ("a", b"x")}, headers=organizer.headers
    )
    assert resp.status_code == 400


async def test_add_question_by_hand(client, organizer):
    bank = await create_bank(client, organizer)
    body = {
        "type": "single_choice",
        "text": "Maklumat pelayanan ditandatangani oleh",
        "category": "Pelayanan Prima/Dasar Hukum",
        "points": "2",
        "options": [
            {"text": "kepala unit penyelenggara", "weight": "100"},
            {"text": "petugas loket", "weight": "0"},
        ],
    }
    resp = await client.post(
        f"/api/v1/question-banks/{bank['id']}/questions", json=body, headers=organizer.headers
    )
    assert resp.status_code == 201, resp.text
    question = resp.json()
    assert question["title"] == "Maklumat pelayanan ditandatangani oleh"
    assert question["points"] == "2.00"
    assert question["category"] == "Pelayanan Prima/Dasar Hukum"
    assert [(o["id"], o["text"]) for o in question["question"]["options"]] == [
        ("a", "kepala unit penyelenggara"),
        ("b", "petugas loket"),
    ]
    body["options"][0]["weight"] = "50"
    resp = await client.post(
        f"/api/v1/question-banks/{bank['id']}/questions", json=body, headers=organizer.headers
    )
    assert resp.status_code == 400
    assert resp.json()["detail"] == "Soal pilihan tunggal membutuhkan satu pilihan bernilai 100%."


async def test_gift_export_imports_back_to_the_same_questions(client, organizer):
    bank = await create_bank(client, organizer)
    await import_text(client, organizer, bank["id"], BANK_FILE.read_text(encoding="utf-8"))
    resp = await client.get(
        f"/api/v1/question-banks/{bank['id']}/export?format=gift", headers=organizer.headers
    )
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/plain; charset=utf-8"
    assert resp.text.startswith("$CATEGORY: Pelayanan Prima/Dasar Hukum\n\n::UU Pelayanan Publik::")
    copy = await create_bank(client, organizer, "Salinan")
    report = await import_text(client, organizer, copy["id"], resp.text)
    assert report == {"imported": 23, "by_type": INDONESIAN_TYPES, "errors": []}
    original = await bank_questions(client, organizer, bank["id"])
    copied = await bank_questions(client, organizer, copy["id"])
    assert [q["question"] for q in copied] == [q["question"] for q in original]


async def test_aiken_export_refuses_other_types_with_the_question_named(client, organizer):
    bank = await create_bank(client, organizer)
    await import_text(client, organizer, bank["id"], BANK_FILE.read_text(encoding="utf-8"))
    resp = await client.get(
        f"/api/v1/question-banks/{bank['id']}/export?format=aiken", headers=organizer.headers
    )
    assert resp.status_code == 422
    assert resp.json()["detail"].startswith("Soal 'Maklumat' tidak dapat diekspor ke Aiken")


async def test_bank_scope_other_unit_404_trainer_reads_participant_forbidden(
    app, client, organizer, other_organizer, trainer_user, participant, other_unit
):
    bank = await create_bank(client, organizer)
    await import_text(client, organizer, bank["id"], BANK_FILE.read_text(encoding="utf-8"))
    url = f"/api/v1/question-banks/{bank['id']}"
    assert (await client.get(url, headers=other_organizer.headers)).status_code == 404
    resp = await client.get(url + "/questions", headers=other_organizer.headers)
    assert resp.status_code == 404
    resp = await client.post(
        url + "/import",
        json={"format": "gift", "text": "::A::B {T}"},
        headers=other_organizer.headers,
    )
    assert resp.status_code == 404
    listed = await client.get("/api/v1/question-banks", headers=other_organizer.headers)
    assert listed.json() == {"items": [], "total": 0}
    # A trainer of the bank's unit reads it, answers included, but cannot change it.
    resp = await client.get(url + "/questions", headers=trainer_user.headers)
    assert resp.json()["total"] == 23
    resp = await client.post(
        url + "/import",
        json={"format": "gift", "text": "::A::B {T}"},
        headers=trainer_user.headers,
    )
    assert resp.status_code == 403
    person = await make_person(other_unit["id"], "Narasumber Lain")
    outsider = await make_actor(app, "trainer", person_id=person, unit_id=other_unit["id"])
    assert (await client.get(url, headers=outsider.headers)).status_code == 404
    assert (await client.get(url + "/questions", headers=participant.headers)).status_code == 403
    listed = await client.get("/api/v1/question-banks", headers=organizer.headers)
    assert [b["name"] for b in listed.json()["items"]] == ["Bank PP"]


async def test_bank_for_a_unit_outside_scope_is_refused(client, organizer, other_unit):
    resp = await client.post(
        "/api/v1/question-banks",
        json={"name": "Bank lain", "unit_id": str(other_unit["id"])},
        headers=organizer.headers,
    )
    assert resp.status_code == 422


async def test_nul_characters_are_refused_or_dropped_never_a_500(client, organizer):
    # In JSON and in the address a NUL is refused with a 400 before any handler runs
    # (lms.shared.input_guard); an uploaded file holding NUL bytes is not a text file.
    resp = await client.post(
        "/api/v1/question-banks", json={"name": "Bank\u0000"}, headers=organizer.headers
    )
    assert resp.status_code == 400
    bank = await create_bank(client, organizer)
    resp = await client.post(
        f"/api/v1/question-banks/{bank['id']}/import",
        json={"format": "gift", "text": "::A\u0000::Benar\u0000? {T}\n"},
        headers=organizer.headers,
    )
    assert resp.status_code == 400
    assert resp.json()["errors"] == [{"field": "text", "message": "berisi karakter NUL (\\u0000)"}]
    resp = await client.post(
        f"/api/v1/question-banks/{bank['id']}/import",
        files={"file": ("soal.gift", "::A\u0000::Benar\u0000? {T}\n".encode())},
        headers=organizer.headers,
    )
    assert resp.status_code == 400, resp.text
    assert resp.json()["detail"].startswith("Berkas bukan berkas teks GIFT atau Aiken")
    assert await bank_questions(client, organizer, bank["id"]) == []
    resp = await client.post(
        f"/api/v1/question-banks/{bank['id']}/questions",
        json={"type": "true_false", "text": "Salah\u0000", "correct": False},
        headers=organizer.headers,
    )
    assert resp.status_code == 400
    resp = await client.get(
        f"/api/v1/question-banks/{bank['id']}/questions",
        params={"category": "A\u0000", "type": "x\u0000"},
        headers=organizer.headers,
    )
    assert resp.status_code == 400


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "Berkas kosong."),
        (b"\xef\xbb\xbf  \r\n\r\n", "Berkas kosong."),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00word/document.xml",
            "Berkas bukan berkas teks GIFT atau Aiken (mungkin PDF, Word, Excel atau gambar); "
            "unggah berkas teks .gift atau .txt.",
        ),
        (
            bytes(range(256)) * 4,
            "Berkas bukan berkas teks GIFT atau Aiken (mungkin PDF, Word, Excel atau gambar); "
            "unggah berkas teks .gift atau .txt.",
        ),
        (
            b"// hanya komentar\n// tidak ada soal\n",
            "Tidak ada soal GIFT atau Aiken yang terbaca dalam berkas ini.",
        ),
    ],
)
async def test_an_empty_or_binary_file_is_400(client, organizer, content, detail):
    bank = await create_bank(client, organizer)
    resp = await client.post(
        f"/api/v1/question-banks/{bank['id']}/import",
        files={"file": ("bank.gift", content, "application/octet-stream")},
        headers=organizer.headers,
    )
    assert resp.status_code == 400, resp.text
    assert resp.json()["detail"] == detail
    assert await bank_questions(client, organizer, bank["id"]) == []
