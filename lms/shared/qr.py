"""QR codes that point at a public verification page (a certificate's, a transcript's).

Error correction M (15% of the symbol may be damaged) is what printed, folded and photocopied
certificates need; ``boost_error=False`` keeps it exactly M so every certificate's code has the
same density. The SVG is inline vector output: sharp at any print size and a single ``<path>``,
which WeasyPrint draws far faster than a grid of rectangles or a decoded PNG.
"""

import io

import segno

ERROR_CORRECTION = "m"
#: Modules of white margin around the symbol; ISO/IEC 18004 asks for 4.
QUIET_ZONE = 4


def make_qr(data: str) -> segno.QRCode:
    """Return the QR code (never a Micro QR, which phone cameras often fail to read)."""
    return segno.make_qr(data, error=ERROR_CORRECTION, boost_error=False)


def qr_svg(data: str, *, css_class: str = "qr") -> str:
    """Return an inline ``<svg>`` element encoding ``data``.

    The element has a ``viewBox`` and no width or height, so the template's CSS sizes it, and
    declares the SVG namespace, so it is also well-formed XML inside an XHTML template.
    """
    buffer = io.BytesIO()
    make_qr(data).save(
        buffer,
        kind="svg",
        border=QUIET_ZONE,
        omitsize=True,
        svgclass=css_class,
        lineclass=None,
        dark="#000",
        xmldecl=False,
        svgns=True,
        nl=False,
    )
    return buffer.getvalue().decode("ascii")


def qr_data_uri(data: str) -> str:
    """Return the same code as an SVG ``data:`` URI, for ``<img src>`` in other documents."""
    return make_qr(data).svg_data_uri(border=QUIET_ZONE, dark="#000")
