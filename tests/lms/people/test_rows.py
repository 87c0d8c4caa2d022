import csv
import io
from datetime import date

import pytest

from lms.people.rows import (
    PersonRow,
    RowError,
    normalize_phone,
    parse_asn_type,
    parse_jabatan_type,
    parse_people,
    parse_person_row,
)
from lms.shared.tabular import MissingColumns, TableRow, read_table
from tests.conftest import SHARED_DATA
from tests.lms.builders.shared import xlsx_bytes

TODAY = date(2026, 11, 23)
SAMPLE = SHARED_DATA / "peserta_pelayanan_prima_angkatan_1.csv"


def parse_bytes(data: bytes, filename: str = "peserta.csv"):
    table = read_table(data, filename, max_rows=5000, max_bytes=5_000_000)
    return parse_people(table, today=TODAY)


def test_every_row_of_the_sample_participant_file_parses():
    result = parse_bytes(SAMPLE.read_bytes())
    assert result.errors == []
    assert len(result.people) == 27
    assert [p.row_number for p in result.people] == list(range(2, 29))
    assert sum(p.asn_type == "pppk" for p in result.people) == 3
    by_nip = {p.nip: p for p in result.people}
    assert by_nip["198609082018111001"] == PersonRow(
        row_number=2,
        nip="198609082018111001",
        name="Afrizal",
        front_title="",
        back_title="S.Sos.",
        asn_type="pns",
        golongan="III/d",
        jabatan="Kepala Seksi Pelayanan",
        jabatan_type="",
        unit_name="Kecamatan Padang Panjang Timur",
        email="afrizal@padangpanjang.go.id",
        phone="081894289706",
    )
    assert by_nip["198704252017091005"] == PersonRow(
        row_number=6,
        nip="198704252017091005",
        name="Zulkarnain",
        front_title="Drs.",
        back_title="M.Si.",
        asn_type="pns",
        golongan="IV/a",
        jabatan="Kepala Seksi Pemerintahan",
        unit_name="Kecamatan Padang Panjang Barat",
        email="zulkarnain@padangpanjang.go.id",
        phone="088539422239",
    )
    assert by_nip["198004142024152005"] == PersonRow(
        row_number=12,
        nip="198004142024152005",
        name="Fitri Handayani",
        back_title="S.Pd.",
        asn_type="pppk",
        golongan="IX",
        jabatan="Penata Layanan Operasional",
        unit_name="DPMPTSP Kota Padang Panjang",
        email="fitri.handayani@padangpanjang.go.id",
        phone="084666513261",
    )
    assert by_nip["198910142023122008"].asn_type == "pppk"
    assert by_nip["198910142023122008"].golongan == "VII"
    assert by_nip["198102022022191001"].golongan == "IX"
    assert by_nip["197704282011122004"].back_title == "S.E., M.M."
    assert by_nip["197911012013072007"].front_title == "Dra."
    assert by_nip["197911012013072007"].back_title == ""
    assert by_nip["198710282012121006"].name == "Muhammad Ma'ruf"


def _sample_rows() -> list[dict[str, str]]:
    with open(SAMPLE, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_xlsx_with_nip_as_number_and_as_text_gives_the_same_people_and_one_error():
    rows = _sample_rows()
    header = list(rows[0].keys())
    sheet: list[list[object]] = [header]
    exact: dict[int, str] = {}
    for index, row in enumerate(rows):
        cells: list[object] = [row[h] for h in header]
        cells[0] = int(row["No"])
        if index % 2 == 0:
            # A number cell holding all 18 digits (written by a tool that keeps integers).
            marker = 100_000_000_000_000 + index
            exact[marker] = row["NIP"]
            cells[1] = marker
        cells[10] = int(row["No. HP"])  # Excel drops the phone's leading zero
        if row["Golongan"] == "IX" and index % 2 == 0:
            cells[6] = 9  # PPPK golongan typed as a number
        sheet.append(cells)
    # Row 29: the NIP typed into a General cell, which Excel keeps as 1.98609082018111E+17.
    bad_row: list[object] = [28, 1.98609082018111e17, "Rahmat Hidayat", None, "S.H.", "PNS"]
    bad_row += ["III/a", "Analis Hukum", "Sekretariat Daerah", "rahmat@padangpanjang.go.id", None]
    sheet.append(bad_row)
    data = xlsx_bytes(sheet, exact_ints=exact)

    from_xlsx = parse_bytes(data, "peserta.xlsx")
    from_csv = parse_bytes(SAMPLE.read_bytes())
    assert from_xlsx.people == from_csv.people
    assert from_xlsx.errors == [
        RowError(
            row_number=29,
            nip="1.98609082018111e+17",
            errors=[
                "NIP tersimpan sebagai angka di Excel sehingga digit terakhirnya hilang "
                "(1.98609082018111e+17); ubah format kolom NIP menjadi Teks lalu ketik ulang NIP"
            ],
        )
    ]


def test_english_headers_and_synonyms():
    data = (
        b"nip,name,front_title,back_title,asn_type,golongan,jabatan,unit,email,phone,"
        b"jabatan_type\n"
        b'"19860926 201505 1 001",Siti Nurhaliza,Dr. Ir.,M.Si.,pns,4c,Kepala Dinas,DPMPTSP,'
        b"Siti@PadangPanjang.go.id,+62 812-3456-7890,JPT Pratama\n"
        b",Andi,,,Honorer,,Petugas Loket,DPMPTSP,,6281234567891,Pelaksana\n"
        b"198604272022211011,Rika,,,P3K,ix,Pengelola Layanan,DPMPTSP,,81234567892,fungsional\n"
    )
    result = parse_bytes(data)
    assert result.errors == []
    siti, andi, rika = result.people
    assert siti == PersonRow(
        row_number=2,
        nip="198609262015051001",
        name="Siti Nurhaliza",
        front_title="Dr. Ir.",
        back_title="M.Si.",
        asn_type="pns",
        golongan="IV/c",
        jabatan="Kepala Dinas",
        jabatan_type="jpt_pratama",
        unit_name="DPMPTSP",
        email="siti@padangpanjang.go.id",
        phone="081234567890",
    )
    assert (andi.nip, andi.asn_type, andi.golongan, andi.jabatan_type, andi.phone) == (
        None,
        "non_asn",
        "",
        "pelaksana",
        "081234567891",
    )
    assert (rika.asn_type, rika.golongan, rika.jabatan_type, rika.phone) == (
        "pppk",
        "IX",
        "fungsional",
        "081234567892",
    )


def test_every_problem_of_a_row_is_reported_in_indonesian():
    header = (
        "No;NIP;Nama;Gelar Depan;Gelar Belakang;Jenis ASN;Golongan;Jabatan;Unit Kerja;Email;No. HP"
    )
    lines = [
        header,
        "1;19860926201505;;;;PNS;III/f;Staf;DPMPTSP;bukan-email;12",
        "2;198604272022211011;Rika;;;PNS;III/a;Staf;DPMPTSP;;",
        "3;198609262015051001;Budi;;;Pegawai Tetap;III/a;Staf;DPMPTSP;;",
        "4;;Andi;;;PPPK;IX;Staf;DPMPTSP;;",
        "5;198604272022211011;Rina;;;PPPK;III/d;Staf;DPMPTSP;;",
        "6;12345;Tono;;;Non ASN;;Staf;DPMPTSP;;",
    ]
    result = parse_bytes("\r\n".join(lines).encode())
    assert result.people == []
    assert result.errors == [
        RowError(
            row_number=2,
            nip="19860926201505",
            errors=[
                "Nama wajib diisi",
                "NIP harus 18 digit, bukan 14 digit ('19860926201505')",
                "Golongan 'III/f' tidak dikenal; golongan PNS ditulis I/a sampai IV/e",
                "Email 'bukan-email' tidak valid",
                "Nomor HP '12' tidak valid; tulis seperti 081234567890",
            ],
        ),
        RowError(
            row_number=3,
            nip="198604272022211011",
            errors=["Bulan TMT CPNS pada NIP (21) harus 01–12"],
        ),
        RowError(
            row_number=4,
            nip="198609262015051001",
            errors=["Jenis ASN 'Pegawai Tetap' tidak dikenal; gunakan PNS, PPPK, atau Non ASN"],
        ),
        RowError(row_number=5, nip=None, errors=["NI PPPK wajib diisi untuk PPPK"]),
        RowError(
            row_number=6,
            nip="198604272022211011",
            errors=["Golongan 'III/d' adalah golongan PNS; golongan PPPK ditulis I sampai XVII"],
        ),
        RowError(row_number=7, nip="12345", errors=["NIP harus 18 digit, bukan 5 digit ('12345')"]),
    ]


def test_duplicate_nip_in_one_file_rejects_the_later_row():
    data = (
        b"NIP;Nama;Jenis ASN\n"
        b"198609262015051001;Siti;PNS\n"
        b"198604272022211011;Rika;PPPK\n"
        b"19860926 201505 1 001;Siti Lagi;PNS\n"
    )
    result = parse_bytes(data)
    assert [p.name for p in result.people] == ["Siti", "Rika"]
    assert result.errors == [
        RowError(
            row_number=4,
            nip="198609262015051001",
            errors=["NIP 198609262015051001 sudah ada di baris 2"],
        )
    ]


def test_template_rows_with_only_a_number_are_skipped():
    data = b"No;NIP;Nama;Jenis ASN\n1;198609262015051001;Siti;PNS\n2;;;\n3;;;\n"
    result = parse_bytes(data)
    assert len(result.people) == 1
    assert result.errors == []


def test_titles_typed_into_the_name_column_are_moved_to_their_fields():
    data = (
        b"Nama;Gelar Depan;Gelar Belakang;Jenis ASN\n"
        b"Drs. Zulkarnain, M.Si.;;;Non ASN\n"
        b"Prof. Dr. Ir. H. Ahmad Syafii, M.Sc., Ph.D.;;;Non ASN\n"
        b"Yenni Marlina, S.E.;;M.M.;Non ASN\n"
    )
    people = parse_bytes(data).people
    assert [(p.front_title, p.name, p.back_title) for p in people] == [
        ("Drs.", "Zulkarnain", "M.Si."),
        ("Prof. Dr. Ir. H.", "Ahmad Syafii", "M.Sc., Ph.D."),
        # The back-title column was filled: the name is left as written.
        ("", "Yenni Marlina, S.E.", "M.M."),
    ]


def test_missing_required_columns():
    table = read_table(b"NIP;Nama Lengkapnya\n1;Siti\n", "a.csv", max_rows=10, max_bytes=1000)
    with pytest.raises(MissingColumns) as info:
        parse_people(table)
    assert info.value.missing == ["Nama", "Jenis ASN"]
    assert str(info.value) == (
        "Kolom wajib tidak ditemukan: Nama, Jenis ASN. Kolom yang terbaca: NIP, Nama Lengkapnya"
    )


def test_parse_person_row_directly():
    row = TableRow(
        row_number=7,
        values={"nip": "198609262015051001", "nama": "  Siti   Nurhaliza ", "jenis_asn": "PNS"},
    )
    person = parse_person_row(row, today=TODAY)
    assert isinstance(person, PersonRow)
    assert person.name == "Siti Nurhaliza"
    assert person.nip == "198609262015051001"
    bad = parse_person_row(TableRow(row_number=8, values={"nama": "12345"}), today=TODAY)
    assert bad == RowError(
        row_number=8,
        nip=None,
        errors=[
            "Nama '12345' tidak berisi huruf",
            "Jenis ASN wajib diisi (PNS, PPPK, atau Non ASN)",
        ],
    )


def test_vocabularies():
    assert [parse_asn_type(v) for v in ("PNS", "CPNS", "PPPK", "P3K", "Non ASN", "non-asn",
                                        "NON_ASN", "Honorer", "THL", "Kontrak", "x")] == [
        "pns", "pns", "pppk", "pppk", "non_asn", "non_asn",
        "non_asn", "non_asn", "non_asn", "non_asn", None,
    ]  # fmt: skip
    assert parse_jabatan_type("JPT Utama") == "jpt_utama"
    assert parse_jabatan_type("Jabatan Pimpinan Tinggi Madya") == "jpt_madya"
    assert parse_jabatan_type("Eselon III.b") == "administrator"
    assert parse_jabatan_type("Eselon IV") == "pengawas"
    assert parse_jabatan_type("Fungsional Umum") == "pelaksana"
    assert parse_jabatan_type("JFT") == "fungsional"
    assert parse_jabatan_type("Struktural") is None


def test_normalize_phone():
    assert normalize_phone("081894289706") == "081894289706"
    assert normalize_phone("+62 818-9428-9706") == "081894289706"
    assert normalize_phone("62 818 9428 9706") == "081894289706"
    assert normalize_phone("81894289706") == "081894289706"
    assert normalize_phone("(0752) 82123") == "075282123"
    for bad in ("12", "0812", "abc", "0812345678901234"):
        with pytest.raises(ValueError, match="tidak valid"):
            normalize_phone(bad)


def test_parse_people_csv_text_written_by_python_csv_module():
    # Round-trip through csv.writer with ',' and quoting: the reader gets the same people.
    rows = _sample_rows()
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(rows[0].keys())
    for row in rows:
        writer.writerow(row.values())
    again = parse_bytes(buffer.getvalue().encode("utf-8"))
    assert again.people == parse_bytes(SAMPLE.read_bytes()).people
