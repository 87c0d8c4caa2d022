"""The DICABUT stamp a revoked certificate carries when it is downloaded.

A revoked certificate's stored PDF stays exactly as issued (it is signed, and its SHA-256 is how
``/api/v1/verify/pdf`` recognizes it), so the stamp is drawn at download time on a copy: a
large diagonal "DICABUT" across every page and a box at the top with the revocation date and
category. Printed or forwarded, the copy no longer looks valid, which the original did.

The stamp is plain PDF drawing with the standard Helvetica-Bold font (no font file, WinAnsi
text, so pdftotext and pypdf read it back). The copy drops the signature fields: a signature
over the original bytes no longer covers the stamped file and would only show as broken.
"""

from __future__ import annotations

import io
import math

import pypdf
from pypdf import PageObject
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)

STAMP_WORD = "DICABUT"
_FONT = "/FStampDicabut"
_STATE = "/GSStampDicabut"
_ANGLE = math.radians(30)
#: Helvetica-Bold capitals are about 0.72 em wide on average: enough to centre the stamp.
_CAPITAL_EM = 0.72
_TEXT_EM = 0.56
_HEADING_EM = 0.62


def _pdf_string(text: str) -> str:
    """``text`` as a PDF literal string (WinAnsi; characters outside it become ``?``)."""
    encoded = text.encode("cp1252", "replace").decode("cp1252")
    return "(" + encoded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _content(width: float, height: float, left: float, bottom: float, lines: list[str]) -> str:
    size = min(width, height) / 5
    word_width = len(STAMP_WORD) * size * _CAPITAL_EM
    cos, sin = math.cos(_ANGLE), math.sin(_ANGLE)
    centre_x, centre_y = left + width / 2, bottom + height / 2
    # Start so that the rotated word's middle sits on the page's centre.
    x = centre_x - cos * word_width / 2 + sin * size / 3
    y = centre_y - sin * word_width / 2 - cos * size / 3
    parts = [
        "q",
        f"{_STATE} gs",
        "0.80 0 0 rg",
        "BT",
        f"{_FONT} {size:.1f} Tf",
        f"{cos:.4f} {sin:.4f} {-sin:.4f} {cos:.4f} {x:.1f} {y:.1f} Tm",
        f"{_pdf_string(STAMP_WORD)} Tj",
        "ET",
        "Q",
    ]
    text_size = 11.0
    box_width = (
        max(len(lines[0]) * 16 * _HEADING_EM, *(len(line) * text_size * _TEXT_EM for line in lines))
        + 24
    )
    box_height = 22 + 16 * (len(lines) - 1) + 16
    box_x = centre_x - box_width / 2
    box_y = bottom + height - box_height - 18
    parts += [
        "q",
        "1 1 1 rg 0.80 0 0 RG 2 w",
        f"{box_x:.1f} {box_y:.1f} {box_width:.1f} {box_height:.1f} re B",
        "0.80 0 0 rg",
        "BT",
        f"{_FONT} 16 Tf",
        f"{box_x + 12:.1f} {box_y + box_height - 24:.1f} Td",
        f"{_pdf_string(lines[0])} Tj",
        f"{_FONT} {text_size:.0f} Tf",
    ]
    for line in lines[1:]:
        parts += ["0 -16 Td", f"{_pdf_string(line)} Tj"]
    parts += ["ET", "Q"]
    return "\n".join(parts)


def _resources(writer: pypdf.PdfWriter) -> DictionaryObject:
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica-Bold"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    state = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/ExtGState"),
            NameObject("/ca"): FloatObject(0.30),
            NameObject("/CA"): FloatObject(0.30),
        }
    )
    return DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject({NameObject(_FONT): writer._add_object(font)}),
            NameObject("/ExtGState"): DictionaryObject(
                {NameObject(_STATE): writer._add_object(state)}
            ),
        }
    )


def _without_signature_fields(page: PageObject) -> None:
    annotations = page.get("/Annots")
    if annotations is None:
        return
    kept = ArrayObject(
        annotation
        for annotation in annotations.get_object()
        if annotation.get_object().get("/FT") != "/Sig"
    )
    page[NameObject("/Annots")] = kept


def stamp_revoked(pdf: bytes, lines: list[str]) -> bytes:
    """A copy of ``pdf`` with the DICABUT stamp on every page.

    Args:
        pdf: The stored, issued PDF (left untouched).
        lines: The box's text, first line as its heading, e.g. ``["DICABUT", "Tanggal
            pencabutan: 7 Desember 2026", "Kategori: Kesalahan data"]``.
    """
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    writer = pypdf.PdfWriter()
    for original in reader.pages:
        page = writer.add_page(original)
        _without_signature_fields(page)
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        overlay = PageObject.create_blank_page(width=width, height=height)
        overlay[NameObject("/Resources")] = _resources(writer)
        stream = DecodedStreamObject()
        stream.set_data(
            _content(width, height, float(box.left), float(box.bottom), lines).encode("latin-1")
        )
        overlay[NameObject("/Contents")] = writer._add_object(stream)
        page.merge_page(overlay)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
