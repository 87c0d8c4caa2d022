import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest

from lms.shared.tabular import (
    Column,
    EmptyFile,
    FileTooLarge,
    InvalidHeader,
    Sheet,
    TabularError,
    TooManyRows,
    UnsupportedFormat,
    csv_bytes,
    csv_safe,
    normalize_header,
    read_table,
)
from lms.shared.tabular import xlsx_bytes as write_xlsx
from tests.conftest import SHARED_DATA
from tests.lms.builders.shared import xlsx_bytes

LIMITS = {"max_rows": 1000, "max_bytes": 1_000_000}


def read(data: bytes, filename: str = "data.csv", **limits: int):
    return read_table(data, filename, **{**LIMITS, **limits})


def test_normalize_header():
    assert normalize_header("No. HP") == "no_hp"
    assert normalize_header(" Unit Kerja ") == "unit_kerja"
    assert normalize_header("\ufeffNo") == "no"
    assert normalize_header("E-mail") == "e_mail"
    assert normalize_header("Gelar  Belakang") == "gelar_belakang"
    assert normalize_header("Jenis ASN (PNS/PPPK)") == "jenis_asn_pns_pppk"
    assert normalize_header("Pendidikan Terakhir ") == "pendidikan_terakhir"
    assert normalize_header("Kécamatan") == "kecamatan"
    assert normalize_header("U1") == "u1"


def test_reads_the_excel_csv_utf8_export_with_bom_semicolons_and_crlf():
    data = (SHARED_DATA / "peserta_pelayanan_prima_angkatan_1.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    table = read(data, "peserta_pelayanan_prima_angkatan_1.csv")
    assert table.headers == [
        "no",
        "nip",
        "nama",
        "gelar_depan",
        "gelar_belakang",
        "jenis_asn",
        "golongan",
        "jabatan",
        "unit_kerja",
        "email",
        "no_hp",
    ]
    assert table.labels[0] == "No" and table.labels[-1] == "No. HP"
    assert len(table.rows) == 27
    assert [r.row_number for r in table.rows] == list(range(2, 29))
    first = table.rows[0]
    assert first.values == {
        "no": "1",
        "nip": "198609082018111001",
        "nama": "Afrizal",
        "gelar_depan": "",
        "gelar_belakang": "S.Sos.",
        "jenis_asn": "PNS",
        "golongan": "III/d",
        "jabatan": "Kepala Seksi Pelayanan",
        "unit_kerja": "Kecamatan Padang Panjang Timur",
        "email": "afrizal@padangpanjang.go.id",
        "no_hp": "081894289706",
    }
    assert table.rows[12].get("gelar_belakang") == "S.E., M.M."
    assert first.get("tidak_ada") == ""


def test_comma_csv_with_quotes_embedded_separators_and_newlines():
    data = (
        b"nama,alamat,catatan\n"
        b'"Siti, S.E.","Jl. Sudirman No. 1\nPadang Panjang",ok\n'
        b'Budi,"kata ""prima""",\n'
    )
    table = read(data)
    assert table.headers == ["nama", "alamat", "catatan"]
    assert table.rows[0].values == {
        "nama": "Siti, S.E.",
        "alamat": "Jl. Sudirman No. 1\nPadang Panjang",
        "catatan": "ok",
    }
    # Row numbers count records (what Excel shows), not physical lines.
    assert [r.row_number for r in table.rows] == [2, 3]
    assert table.rows[1].values["alamat"] == 'kata "prima"'


def test_separator_is_sniffed_from_the_header_line_only():
    # The header has two ';' and the data has many ','; the header decides.
    data = b"nama;jabatan;nilai\r\nSiti;Kasi, Pelayanan;80,5\r\n"
    table = read(data)
    assert table.rows[0].values == {"nama": "Siti", "jabatan": "Kasi, Pelayanan", "nilai": "80,5"}
    tab = read(b"nama\tnip\nSiti\t198609082018111001\n", "data.tsv")
    assert tab.rows[0].values == {"nama": "Siti", "nip": "198609082018111001"}
    single = read(b"nama\nSiti\n")
    assert single.rows[0].values == {"nama": "Siti"}


def test_windows_1252_and_latin1_fallbacks():
    cp1252 = "nama;jabatan\nMuhammad Ma\u2019ruf;Caf\u00e9\n".encode("cp1252")
    assert read(cp1252).rows[0].values == {"nama": "Muhammad Ma\u2019ruf", "jabatan": "Caf\u00e9"}
    latin1 = b"nama;kode\nSiti;\x81\xe9\n"  # 0x81 is undefined in cp1252
    assert read(latin1).rows[0].values == {"nama": "Siti", "kode": "\x81\u00e9"}
    utf16 = "nama\tnip\nSiti\t123\n".encode("utf-16")
    assert read(utf16, "data.txt").rows[0].values == {"nama": "Siti", "nip": "123"}


def test_empty_rows_are_skipped_but_row_numbers_stay_the_sheets():
    data = b"\r\nnama;nip\r\nSiti;1\r\n;\r\n\r\nBudi;2\r\n  ;  \r\n"
    table = read(data)
    assert table.labels == ["nama", "nip"]
    assert [(r.row_number, r.values["nama"]) for r in table.rows] == [(3, "Siti"), (6, "Budi")]


def test_short_rows_are_padded_and_unnamed_columns_with_data_are_kept():
    data = b"nama;nip;\nSiti\nBudi;2;catatan;\n"
    table = read(data)
    assert table.headers == ["nama", "nip", "kolom_3"]
    assert table.rows[0].values == {"nama": "Siti", "nip": "", "kolom_3": ""}
    assert table.rows[1].values == {"nama": "Budi", "nip": "2", "kolom_3": "catatan"}


def test_duplicate_header_is_rejected():
    expected = r"'EMAIL' muncul lebih dari sekali \(sama dengan 'Email'\)"
    with pytest.raises(InvalidHeader, match=expected):
        read(b"Email;Nama; EMAIL \na@b.id;Siti;c@d.id\n")


def test_limits():
    data = b"nama\n" + b"".join(b"orang %d\n" % i for i in range(5))
    assert len(read(data, max_rows=5).rows) == 5
    with pytest.raises(TooManyRows, match="lebih dari 4 baris"):
        read(data, max_rows=4)
    with pytest.raises(FileTooLarge, match="terlalu besar"):
        read(data, max_bytes=len(data) - 1)
    # 413-class errors are TabularErrors, so one except clause can report every upload problem.
    assert issubclass(FileTooLarge, TabularError) and issubclass(TooManyRows, TabularError)


def test_empty_and_unsupported_files():
    with pytest.raises(EmptyFile, match="kosong"):
        read(b"")
    with pytest.raises(EmptyFile, match="tidak berisi judul kolom"):
        read(b"\xef\xbb\xbf\r\n \r\n")
    with pytest.raises(EmptyFile, match="hanya berisi judul"):
        read(b"nama;nip\r\n;\r\n")
    with pytest.raises(UnsupportedFormat, match=".xls"):
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "peserta.xls")
    with pytest.raises(UnsupportedFormat, match="tidak didukung"):
        read(b"%PDF-1.7", "peserta.pdf")
    with pytest.raises(UnsupportedFormat, match="bukan berkas Excel"):
        read(b"nama;nip\n", "peserta.xlsx")
    with pytest.raises(UnsupportedFormat, match="rusak"):
        read(b"PK\x03\x04" + b"garbage" * 20, "peserta.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(UnsupportedFormat, match="rusak"):
        read(buffer.getvalue(), "peserta.xlsx")


def test_xlsx_that_unpacks_to_too_much_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 6_000_000)
    data = buffer.getvalue()
    with pytest.raises(FileTooLarge, match="setelah dibuka"):
        read(data, "bom.xlsx", max_bytes=100_000)


def test_xlsx_values_become_the_text_a_user_typed():
    data = xlsx_bytes(
        [
            ["NIP", "Nama", "No. HP", "Nilai", "Jumlah", "Tanggal", "Mulai", "Aktif", "Rumus"],
            [
                111111111111111,
                "Afrizal",
                81894289706,
                80.5,
                5.0,
                date(2026, 11, 22),
                datetime(2026, 11, 22, 9, 30),
                True,
                "=1+1",
            ],
            [None, None, None, None, None, None, None, None, None],
            [
                "198001062013082008",
                " Rina ",
                "084094751846",
                0.1,
                3,
                datetime(2026, 11, 23),
                None,
                False,
                None,
            ],
            [1.98609082018111e17, "Excel", None, None, None, None, None, None, None],
        ],
        exact_ints={111111111111111: "198609082018111001"},
        extra_sheet_active=True,
    )
    table = read(data, "peserta.xlsx")
    assert table.headers == [
        "nip",
        "nama",
        "no_hp",
        "nilai",
        "jumlah",
        "tanggal",
        "mulai",
        "aktif",
        "rumus",
    ]
    assert [r.row_number for r in table.rows] == [2, 4, 5]
    first, second, third = (r.values for r in table.rows)
    assert first == {
        "nip": "198609082018111001",  # an int cell keeps all 18 digits
        "nama": "Afrizal",
        "no_hp": "81894289706",
        "nilai": "80.5",
        "jumlah": "5",
        "tanggal": "2026-11-22",
        "mulai": "2026-11-22T09:30:00",
        "aktif": "TRUE",
        "rumus": "",  # data_only: a formula never calculated by Excel has no value
    }
    assert second["nip"] == "198001062013082008"
    assert second["nama"] == "Rina"
    assert second["nilai"] == "0.1"
    assert second["tanggal"] == "2026-11-23"
    assert second["aktif"] == "FALSE"
    # A NIP stored by Excel as a float has lost digits: shown as Excel shows it, never guessed.
    assert third["nip"] == "1.98609082018111e+17"


def test_xlsx_with_a_wrong_dimension_tag_still_reads_every_row():
    data = xlsx_bytes([["nama", "nip"], ["Siti", "1"], ["Budi", "2"], ["Rina", "3"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:B4"/>' in content
                content = content.replace(b'<dimension ref="A1:B4"/>', b'<dimension ref="A1"/>')
            target.writestr(info, content)
    source.close()
    table = read(buffer.getvalue(), "peserta.xlsx")
    assert [r.values for r in table.rows] == [
        {"nama": "Siti", "nip": "1"},
        {"nama": "Budi", "nip": "2"},
        {"nama": "Rina", "nip": "3"},
    ]


def test_xlsx_too_many_rows():
    data = xlsx_bytes([["nama"]] + [[f"orang {i}"] for i in range(10)])
    assert len(read(data, "a.xlsx", max_rows=10).rows) == 10
    with pytest.raises(TooManyRows):
        read(data, "a.xlsx", max_rows=9)


# --- Writing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+62 812", "'+62 812"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Siti = Kepala", "Siti = Kepala"),
        ("", ""),
    ],
)
def test_csv_safe_quotes_formula_starts(text, written):
    assert csv_safe(text) == written


def test_csv_bytes_is_for_excel_in_an_indonesian_locale():
    columns = [Column("Nama"), Column("JP", kind="decimal"), Column("Tanggal", kind="date")]
    data = csv_bytes(
        columns,
        [["=1+2", Decimal("19.50"), date(2026, 3, 4)], ["Budi; S.Sos", 20, None]],
    )
    assert (
        data
        == ('\ufeffNama;JP;Tanggal\r\n\'=1+2;19,50;04-03-2026\r\n"Budi; S.Sos";20;\r\n').encode()
    )
    # What we write, we read back the same (the reader strips the BOM and sniffs ";").
    table = read(data)
    assert [row.values for row in table.rows] == [
        {"nama": "'=1+2", "jp": "19,50", "tanggal": "04-03-2026"},
        {"nama": "Budi; S.Sos", "jp": "20", "tanggal": ""},
    ]


def test_xlsx_bytes_writes_text_as_text_with_title_freeze_filter_and_formats():
    sheet = Sheet(
        "Rekap",
        [
            Column("Nama", 30),
            Column("Nilai", 9, "decimal"),
            Column("Tanggal", 12, "date"),
            Column("%", 8, "percent"),
        ],
        [['=HYPERLINK("http://evil.example","Klik")', 85.5, date(2026, 3, 4), 33.33]],
        ["PEMERINTAH KOTA PADANG PANJANG", "Rekap nilai"],
    )
    data = write_xlsx([sheet])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data))["Rekap"]
    assert [row for row in ws.values] == [
        ("PEMERINTAH KOTA PADANG PANJANG", None, None, None),
        ("Rekap nilai", None, None, None),
        (None, None, None, None),
        ("Nama", "Nilai", "Tanggal", "%"),
        ('=HYPERLINK("http://evil.example","Klik")', 85.5, datetime(2026, 3, 4), 33.33),
    ]
    assert ws["A5"].data_type == "s"
    assert ws.freeze_panes == "A5"
    assert ws.auto_filter.ref == "A4:D5"
    assert ws.column_dimensions["A"].width == 30
    assert ws["A4"].font.b
    assert (ws["B5"].number_format, ws["C5"].number_format) == ("#,##0.00", "dd-mm-yyyy")


def _workbook_with_empty_rows(empty_rows: int, *, data_rows: int = 1) -> bytes:
    """A real .xlsx built part by part: a header, ``empty_rows`` empty ``<row>`` elements, then
    ``data_rows`` rows of data (what a spreadsheet bomb of blank rows looks like)."""
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>nama</t></is></c></row>']
    rows += ["<row/>"] * empty_rows  # the row number is optional: it compresses to nothing
    for n in range(empty_rows + 2, empty_rows + 2 + data_rows):
        rows.append(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>orang {n}</t></is></c></row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package_rel = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{package_rel}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Peserta" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{package_rel}"><Relationship Id="rId1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{main}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_xlsx_unpacked_size_is_bounded_by_the_actual_upload():
    # 6 MB of empty rows in a ~10 KB upload: far more than 100x its size, though well under
    # 50x the upload limit (the old bound).
    data = _workbook_with_empty_rows(1_000_000)
    assert len(data) < 20_000
    with pytest.raises(FileTooLarge, match="setelah dibuka"):
        read(data, "bom.xlsx", max_bytes=10 * 1024 * 1024)


def test_empty_rows_count_against_the_row_limit():
    # Within the unpacked bound, yet 5,000 empty rows before one data row: reading stops at the
    # limit instead of walking every empty row.
    data = _workbook_with_empty_rows(5_000)
    with pytest.raises(TooManyRows, match="baris kosong ikut dihitung"):
        read(data, "kosong.xlsx", max_rows=100, max_bytes=10 * 1024 * 1024)
    csv_data = b"nama;nip\n" + b";\n" * 5_000 + b"orang;1\n"
    with pytest.raises(TooManyRows, match="baris kosong ikut dihitung"):
        read(csv_data, max_rows=100)
    # A few blank rows between the data are fine.
    fine = _workbook_with_empty_rows(50, data_rows=3)
    assert [r.values["nama"] for r in read(fine, "a.xlsx", max_rows=3).rows] == [
        "orang 52",
        "orang 53",
        "orang 54",
    ]
