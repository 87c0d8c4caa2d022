"""Build .xlsx uploads in tests, including number cells openpyxl itself cannot write.

openpyxl writes integers above ~10**16 in scientific notation (as Excel would store them), but
other writers store exact integer text such as ``<v>198609082018111001</v>``, which openpyxl
reads back as an ``int``. ``exact_ints`` patches marker numbers into such cells.
"""

import io
import re
import zipfile

import openpyxl


def xlsx_bytes(
    rows: list[list[object]],
    *,
    exact_ints: dict[int, str] | None = None,
    extra_sheet_active: bool = False,
) -> bytes:
    """Return an .xlsx whose first sheet holds ``rows``.

    Args:
        rows: Cell values, row by row, starting at A1.
        exact_ints: Marker integer -> the digits to store in its place in the sheet XML.
        extra_sheet_active: Add a second sheet and make it the active one.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if extra_sheet_active:
        other = workbook.create_sheet("Catatan")
        other.append(["bukan", "data"])
        workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if not exact_ints:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                for marker, digits in exact_ints.items():
                    content, count = re.subn(
                        rb"<v>%d</v>" % marker, b"<v>" + digits.encode() + b"</v>", content
                    )
                    assert count >= 1, marker
            target.writestr(info, content)
    source.close()
    return patched.getvalue()
