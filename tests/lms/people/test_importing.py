"""The participant import: the sample file, re-imports, xlsx quirks, scope, limits, batches."""

from __future__ import annotations

import msgspec
import pytest

from lms.audit.tables import AuditEntry
from lms.people import importing, upserting
from lms.people.importing import import_people, import_people_rows
from lms.people.tables import Person, Unit
from lms.shared.errors import BadRequest, PayloadTooLarge
from tests.conftest import SHARED_DATA
from tests.factories import make_person
from tests.lms.builders.people import audit_entries
from tests.lms.builders.shared import xlsx_bytes

SAMPLE = SHARED_DATA / "peserta_pelayanan_prima_angkatan_1.csv"
HEADER = "No;NIP;Nama;Gelar Depan;Gelar Belakang;Jenis ASN;Golongan;Jabatan;Unit Kerja;Email;No. HP"
KELURAHAN_AND_KECAMATAN = [
    ("KECAMATAN-PADANG-PANJANG-TIMUR", "Kecamatan Padang Panjang Timur"),
    ("KELURAHAN-EKOR-LUBUK", "Kelurahan Ekor Lubuk"),
    ("KELURAHAN-GANTING", "Kelurahan Ganting"),
    ("KECAMATAN-PADANG-PANJANG-BARAT", "Kecamatan Padang Panjang Barat"),
    ("KELURAHAN-GUGUK-MALINTANG", "Kelurahan Guguk Malintang"),
    ("KELURAHAN-KOTO-PANJANG", "Kelurahan Koto Panjang"),
    ("KELURAHAN-SILAING-BAWAH", "Kelurahan Silaing Bawah"),
    ("KELURAHAN-PASAR-USANG", "Kelurahan Pasar Usang"),
    ("KELURAHAN-TANAH-HITAM", "Kelurahan Tanah Hitam"),
    ("KELURAHAN-BALAI-BALAI", "Kelurahan Balai-Balai"),
]
"""The units of the sample file not in the fixtures, in order of first appearance."""


def csv_bytes(*rows: str) -> bytes:
    """A participant file as Excel exports it: BOM, ``;``, CRLF."""
    return ("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8")


async def upload(client, actor, data: bytes, filename: str = "peserta.csv", **form):
    return await client.post(
        "/api/v1/people/import",
        files={"file": (filename, data, "application/octet-stream")},
        data={k: str(v) for k, v in form.items()},
        headers=actor.headers,
    )


async def person_by_nip(nip: str) -> dict:
    row = await (
        Person.select(*Person.all_columns(exclude=[Person.created_at, Person.updated_at]))
        .where(Person.nip == nip)
        .first()
    )
    assert row is not None, nip
    return row


async def unit_code(unit_id) -> str:
    return (await Unit.select(Unit.code).where(Unit.id == unit_id).first())["code"]


async def test_sample_file_imports_all_27(client, admin, root_unit, unit):
    resp = await upload(client, admin, SAMPLE.read_bytes(), SAMPLE.name)
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report == {
        "created": 27,
        "updated": 0,
        "unchanged": 0,
        "rejected": [],
        "units_created": [{"code": c, "name": n} for c, n in KELURAHAN_AND_KECAMATAN],
        "message": "27 data diproses: 27 baru, 0 diperbarui, 0 tidak berubah, 0 ditolak; "
        "10 unit kerja baru dibuat",
    }
    assert await Person.count() == 27

    afrizal = await person_by_nip("198609082018111001")
    assert {k: v for k, v in afrizal.items() if k not in ("id", "unit")} == {
        "nip": "198609082018111001",
        "name": "Afrizal",
        "front_title": "",
        "back_title": "S.Sos.",
        "asn_type": "pns",
        "golongan": "III/d",
        "jabatan": "Kepala Seksi Pelayanan",
        "jabatan_type": "",
        "email": "afrizal@padangpanjang.go.id",
        "phone": "081894289706",
    }
    assert await unit_code(afrizal["unit"]) == "KECAMATAN-PADANG-PANJANG-TIMUR"

    fitri = await person_by_nip("198004142024152005")
    assert {k: v for k, v in fitri.items() if k not in ("id", "unit")} == {
        "nip": "198004142024152005",
        "name": "Fitri Handayani",
        "front_title": "",
        "back_title": "S.Pd.",
        "asn_type": "pppk",
        "golongan": "IX",
        "jabatan": "Penata Layanan Operasional",
        "jabatan_type": "",
        "email": "fitri.handayani@padangpanjang.go.id",
        "phone": "084666513261",
    }
    # an existing unit is matched by name, not created again
    assert fitri["unit"] == unit["id"]

    # new units go under the admin's only root, with its city and time zone
    created = await Unit.select(Unit.code, Unit.parent, Unit.kind, Unit.path).where(
        Unit.code == "KELURAHAN-EKOR-LUBUK"
    )
    assert created[0]["parent"] == root_unit["id"]
    assert created[0]["kind"] == "kelurahan"
    assert created[0]["path"].startswith(root_unit["path"])

    shown = await client.get(f"/api/v1/people/{fitri['id']}", headers=admin.headers)
    assert shown.json()["nip_display"] == "19800414 2024 15 2 005"
    assert shown.json()["full_name"] == "Fitri Handayani, S.Pd."


async def test_reimporting_the_same_file_changes_nothing(client, admin, root_unit):
    first = await upload(client, admin, SAMPLE.read_bytes(), SAMPLE.name)
    assert first.json()["created"] == 27
    audit_count = await AuditEntry.count()
    stamps = {r["id"]: r["updated_at"] for r in await Person.select(Person.id, Person.updated_at)}

    again = await upload(client, admin, SAMPLE.read_bytes(), SAMPLE.name)
    assert again.status_code == 200
    assert again.json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 27,
        "rejected": [],
        "units_created": [],
        "message": "27 data diproses: 0 baru, 0 diperbarui, 27 tidak berubah, 0 ditolak",
    }
    assert await AuditEntry.count() == audit_count
    after = {r["id"]: r["updated_at"] for r in await Person.select(Person.id, Person.updated_at)}
    assert after == stamps


async def test_import_writes_the_audit_log(client, admin, root_unit, unit):
    await upload(
        client,
        admin,
        csv_bytes(
            "1;198609082018111001;Afrizal;;S.Sos.;PNS;III/d;Kepala Seksi;"
            "DPMPTSP Kota Padang Panjang;afrizal@padangpanjang.go.id;081894289706"
        ),
    )
    person = await person_by_nip("198609082018111001")
    resp = await upload(
        client,
        admin,
        csv_bytes(
            "1;198609082018111001;Afrizal;;S.Sos., M.AP.;PNS;IV/a;Camat;"
            "DPMPTSP Kota Padang Panjang;afrizal@padangpanjang.go.id;081894289706"
        ),
        "perubahan.csv",
    )
    assert resp.json()["updated"] == 1
    entries = await audit_entries("person", person["id"])
    assert [e["action"] for e in entries] == ["person.create", "person.update"]
    assert entries[0]["changes"]["nip"] == "198609082018111001"
    assert entries[1]["summary"] == "Afrizal, S.Sos., M.AP. (impor perubahan.csv, baris 2)"
    assert entries[1]["actor_name"] == admin.username
    assert entries[1]["changes"] == {
        "back_title": {"old": "S.Sos.", "new": "S.Sos., M.AP."},
        "golongan": {"old": "III/d", "new": "IV/a"},
        "jabatan": {"old": "Kepala Seksi", "new": "Camat"},
    }
    summaries = await (
        AuditEntry.select(AuditEntry.action, AuditEntry.summary)
        .where(AuditEntry.action == "person.import")
        .order_by(AuditEntry.at)
    )
    assert [s["summary"] for s in summaries] == [
        "peserta.csv: 1 data diproses: 1 baru, 0 diperbarui, 0 tidak berubah, 0 ditolak",
        "perubahan.csv: 1 data diproses: 0 baru, 1 diperbarui, 0 tidak berubah, 0 ditolak",
    ]


async def test_empty_cells_and_missing_columns_keep_stored_values(client, admin, unit):
    person_id = await make_person(
        unit["id"], "Yusnita Dewi", nip="197803282010092006", golongan="II/c", back_title="A.Md."
    )
    data = b"NIP,Nama,Jenis ASN,Golongan\r\n197803282010092006,Yusnita Dewi,PNS,\r\n"
    resp = await upload(client, admin, data)
    assert resp.json()["unchanged"] == 1
    row = await Person.select().where(Person.id == person_id).first()
    assert (row["golongan"], row["back_title"], row["unit"]) == ("II/c", "A.Md.", unit["id"])


async def test_xlsx_with_numeric_and_text_nips_and_bad_rows(client, admin, unit):
    header = ["No", "NIP", "Nama", "Gelar Depan", "Gelar Belakang", "Jenis ASN", "Golongan",
              "Jabatan", "Unit Kerja", "Email", "No. HP"]  # fmt: skip
    unit_name = "DPMPTSP Kota Padang Panjang"
    data = xlsx_bytes(
        [
            header,
            [
                1,
                111111111111111,
                "Afrizal",
                None,
                "S.Sos.",
                "PNS",
                "III/d",
                "Kasi",
                unit_name,
                None,
                81894289706,
            ],
            [
                2,
                "198001062013082008",
                "Rina Yulianti",
                None,
                "S.E.",
                "PNS",
                "III/c",
                "Seklur",
                unit_name,
                None,
                "084094751846",
            ],
            [3, "198609262015131001", "Budi", None, None, "PNS", "II/a", "Staf", unit_name],
            [4, 197905132015051009, "Nofriadi", None, None, "PNS", "II/d", "Staf", unit_name],
            [
                5,
                "198004142024152005",
                "Fitri Handayani",
                None,
                "S.Pd.",
                "PPPK",
                9,
                "Penata",
                unit_name,
            ],
        ],  # fmt: skip
        exact_ints={111111111111111: "198609082018111001"},
    )
    resp = await upload(client, admin, data, "peserta.xlsx")
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert (report["created"], report["updated"], report["unchanged"]) == (3, 0, 0)
    assert [(r["row"], r["nip"]) for r in report["rejected"]] == [
        (4, "198609262015131001"),
        (5, "1.97905132015051e+17"),
    ]
    assert report["rejected"][0]["errors"] == ["Bulan TMT CPNS pada NIP (13) harus 01–12"]
    assert report["rejected"][1]["errors"][0].startswith(
        "NIP tersimpan sebagai angka di Excel sehingga digit terakhirnya hilang"
    )
    assert report["message"] == "5 data diproses: 3 baru, 0 diperbarui, 0 tidak berubah, 2 ditolak"
    assert (await person_by_nip("198609082018111001"))["phone"] == "081894289706"
    assert (await person_by_nip("198004142024152005"))["golongan"] == "IX"


async def test_non_asn_rows_match_by_name_and_unit(client, admin, unit):
    rows = (
        "1;;Rahmat;;;Non ASN;;Petugas Informasi;DPMPTSP-PPJ;;",
        "2;;Rahmat;;;Honorer;;Petugas Parkir;dpmptsp  kota padang panjang;;",
        "3;;Sari;;;THL;;Petugas Informasi;DPMPTSP Kota Padang Panjang;;",
    )
    first = await upload(client, admin, csv_bytes(*rows))
    assert first.json()["created"] == 2
    assert first.json()["rejected"] == [
        {"row": 3, "nip": None, "errors": ["'Rahmat' di unit kerja yang sama sudah ada di baris 2"]}
    ]
    again = await upload(client, admin, csv_bytes(rows[0], rows[2]))
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 2)

    # the honorer appointed PPPK: the NI PPPK is added to the same person
    promoted = await upload(
        client,
        admin,
        csv_bytes("1;198604272022211011;Rahmat;;;PPPK;V;Petugas Informasi;DPMPTSP-PPJ;;"),
    )
    assert (promoted.json()["created"], promoted.json()["updated"]) == (0, 1)
    assert await Person.count() == 2
    assert (await person_by_nip("198604272022211011"))["asn_type"] == "pppk"


async def test_organizer_import_stays_in_scope(client, organizer, unit, other_unit):
    outsider = await make_person(other_unit["id"], "Pegawai BKPSDM", nip="198202192012062007")
    resp = await upload(
        client,
        organizer,
        csv_bytes(
            "1;198609082018111001;Afrizal;;;PNS;III/d;Kasi;DPMPTSP-PPJ;;",
            "2;198001062013082008;Rina;;;PNS;III/c;Seklur;Bidang Pelayanan Perizinan;;",
            "3;197905132015051009;Nofriadi;;;PNS;II/d;Staf;BKPSDM Kota Padang Panjang;;",
            "4;198202192012062007;Pegawai BKPSDM;;;PNS;III/b;Staf;DPMPTSP-PPJ;;",
        ),
    )
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert report["created"] == 2
    assert report["units_created"] == [
        {"code": "BIDANG-PELAYANAN-PERIZINAN", "name": "Bidang Pelayanan Perizinan"}
    ]
    assert report["rejected"] == [
        {
            "row": 4,
            "nip": "197905132015051009",
            "errors": ["Unit kerja 'BKPSDM Kota Padang Panjang' berada di luar cakupan unit Anda"],
        },
        {
            "row": 5,
            "nip": "198202192012062007",
            "errors": ["NIP sudah terdaftar di unit kerja di luar cakupan Anda; data tidak diubah"],
        },
    ]
    bidang = await Unit.select(Unit.parent, Unit.kind).where(
        Unit.code == "BIDANG-PELAYANAN-PERIZINAN"
    )
    assert bidang == [{"parent": unit["id"], "kind": "bidang"}]
    # the outsider was not moved into the organizer's unit
    assert (await person_by_nip("198202192012062007"))["unit"] == other_unit["id"]
    assert outsider


async def test_unknown_units_go_under_the_given_parent(client, admin, unit, other_unit):
    resp = await upload(
        client,
        admin,
        csv_bytes("1;198609082018111001;Afrizal;;;PNS;III/d;Kasi;UPTD Baru;;"),
        parent_unit_id=other_unit["id"],
    )
    assert resp.json()["units_created"] == [{"code": "UPTD-BARU", "name": "UPTD Baru"}]
    created = await Unit.select(Unit.parent, Unit.kind).where(Unit.code == "UPTD-BARU").first()
    assert created == {"parent": other_unit["id"], "kind": "uptd"}


async def test_parent_unit_outside_scope_is_422(client, organizer, other_unit):
    resp = await upload(
        client, organizer, SAMPLE.read_bytes(), SAMPLE.name, parent_unit_id=other_unit["id"]
    )
    assert resp.status_code == 422
    assert resp.json()["errors"] == [
        {"field": "parent_unit_id", "message": "Unit induk tidak ditemukan."}
    ]
    assert await Person.count() == 0


@pytest.mark.parametrize(
    ("data", "filename", "detail"),
    [
        (
            b"%PDF-1.7 bukan tabel",
            "peserta.pdf",
            "Format berkas tidak didukung; unggah berkas .xlsx atau .csv",
        ),
        (b"", "peserta.csv", "Berkas kosong"),
        (b"PK\x03\x04rusak", "peserta.xlsx", "Berkas .xlsx rusak atau bukan berkas Excel"),
        (
            b"Nama;NIP\r\nBudi;1\r\n",
            "peserta.csv",
            "Kolom wajib tidak ditemukan: Jenis ASN. Kolom yang terbaca: Nama, NIP",
        ),
        (HEADER.encode(), "peserta.csv", "Berkas hanya berisi judul kolom, tanpa baris data"),
    ],  # fmt: skip
)
async def test_unreadable_files_are_400_in_indonesian(client, organizer, data, filename, detail):
    resp = await upload(client, organizer, data, filename)
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["detail"] == detail


async def test_upload_without_file_is_400(client, organizer):
    resp = await client.post(
        "/api/v1/people/import", data={"parent_unit_id": ""}, headers=organizer.headers
    )
    assert resp.status_code == 400


async def test_size_and_row_limits_answer_413(client, app, organizer, monkeypatch):
    settings = app.state.settings
    monkeypatch.setattr(
        app.state, "settings", msgspec.structs.replace(settings, max_upload_bytes=1000)
    )
    big = await upload(client, organizer, SAMPLE.read_bytes(), SAMPLE.name)
    assert big.status_code == 413
    assert big.json()["detail"] == "Berkas terlalu besar (4,0 KB); batasnya 1000 byte"

    monkeypatch.setattr(app.state, "settings", msgspec.structs.replace(settings, max_import_rows=5))
    many = await upload(client, organizer, SAMPLE.read_bytes(), SAMPLE.name)
    assert many.status_code == 413
    assert many.json()["detail"] == "Berkas berisi lebih dari 5 baris data; bagi berkasnya"
    assert await Person.count() == 0


async def test_participants_and_trainers_may_not_import(client, participant, trainer_user):
    for actor in (participant, trainer_user):
        resp = await upload(client, actor, SAMPLE.read_bytes(), SAMPLE.name)
        assert resp.status_code == 403


async def test_service_returns_person_ids_in_file_order_and_reports_progress(app, root_unit):
    calls: list[tuple[int, int]] = []
    result = await import_people_rows(
        SAMPLE.read_bytes(),
        SAMPLE.name,
        actor=None,
        parent_unit_id=root_unit["id"],
        settings=app.state.settings,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(0, 27), (27, 27)]
    assert [r.row_number for r in result.rows] == list(range(2, 29))
    assert {r.status for r in result.rows} == {"created"}
    ids = result.person_ids()
    first = await Person.select(Person.name).where(Person.id == ids[2]).first()
    last = await Person.select(Person.name).where(Person.id == ids[28]).first()
    assert (first["name"], last["name"]) == ("Afrizal", "Putri Ayu Lestari")


async def test_service_raises_domain_errors(app):
    settings = msgspec.structs.replace(app.state.settings, max_upload_bytes=100)
    with pytest.raises(PayloadTooLarge):
        await import_people(SAMPLE.read_bytes(), SAMPLE.name, actor=None, settings=settings)
    with pytest.raises(BadRequest):
        await import_people(b"bukan tabel", "x.doc", actor=None, settings=app.state.settings)


async def test_a_crash_mid_import_keeps_whole_batches_only(app, root_unit, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 10)
    original = upserting.insert_rows
    audit_batches = {"n": 0}

    async def failing_insert(table, columns, rows):
        # the people of the batch are written before its audit entries: fail in between
        if table is AuditEntry:
            audit_batches["n"] += 1
            if audit_batches["n"] == 2:
                raise RuntimeError("listrik padam")
        await original(table, columns, rows)

    monkeypatch.setattr(upserting, "insert_rows", failing_insert)
    with pytest.raises(RuntimeError, match="listrik padam"):
        await import_people(
            SAMPLE.read_bytes(),
            SAMPLE.name,
            actor=None,
            parent_unit_id=root_unit["id"],
            settings=app.state.settings,
        )
    monkeypatch.setattr(upserting, "insert_rows", original)

    # the first batch is complete (people and their audit entries), the second left nothing
    names = [r["name"] for r in await Person.select(Person.name).order_by(Person.created_at)]
    assert len(names) == 10
    assert await AuditEntry.count().where(AuditEntry.action == "person.create") == 10

    report = await import_people(
        SAMPLE.read_bytes(),
        SAMPLE.name,
        actor=None,
        parent_unit_id=root_unit["id"],
        settings=app.state.settings,
    )
    assert (report.created, report.unchanged) == (17, 10)
    assert await Person.count() == 27


async def test_reimport_updates_only_the_rows_and_fields_that_changed(client, admin, root_unit):
    await upload(client, admin, SAMPLE.read_bytes(), SAMPLE.name)
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    lines[1] = lines[1].replace("Kepala Seksi Pelayanan", "Sekretaris Camat")
    lines[2] = lines[2].replace("rina.yulianti@", "rina.y@").replace(";S.E.;", ";S.E., M.M.;")
    lines[3] = lines[3].replace("Kelurahan Ganting", "Kelurahan Ekor Lubuk")
    data = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()
    resp = await upload(client, admin, data, "peserta-v2.csv")
    report = resp.json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 3, 24)

    afrizal = await person_by_nip("198609082018111001")
    rina = await person_by_nip("198001062013082008")
    nofriadi = await person_by_nip("197905132015051009")
    rina_unit = rina["unit"]
    assert afrizal["jabatan"] == "Sekretaris Camat"
    assert (rina["email"], rina["back_title"]) == ("rina.y@padangpanjang.go.id", "S.E., M.M.")
    assert nofriadi["unit"] == rina_unit  # both now in Kelurahan Ekor Lubuk
    assert (await audit_entries("person", rina["id"]))[-1]["changes"] == {
        "back_title": {"old": "S.E.", "new": "S.E., M.M."},
        "email": {"old": "rina.yulianti@padangpanjang.go.id", "new": "rina.y@padangpanjang.go.id"},
    }
    # untouched rows keep their timestamps
    rows = await Person.select(Person.nip, Person.created_at, Person.updated_at)
    same = [r for r in rows if r["created_at"] == r["updated_at"]]
    assert len(same) == 24


async def test_control_characters_in_cells_are_dropped(client, admin, unit):
    resp = await upload(
        client,
        admin,
        csv_bytes("1;;Ra\x00hmat;;;Non ASN;;Petugas\x01;DPMPTSP-PPJ;;"),
        "peserta\x00.csv",
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["created"] == 1
    row = await Person.select(Person.name, Person.jabatan).first()
    assert row == {"name": "Rahmat", "jabatan": "Petugas"}
