"""Certificate templates: Jinja2 HTML + CSS, compiled in a sandbox, filled from a snapshot.

Organizers may edit templates, so a template is untrusted code: it runs in Jinja's immutable
sandbox with autoescape on (a holder named ``<b>Budi</b>`` prints those characters, it does not
turn bold) and ``StrictUndefined`` (a misspelt variable is an error at preview time, not a blank
on 1,000 printed certificates). Every way a template can fail becomes a ``TemplateError`` with a
message an organizer can act on.

Variables a template can use (all text already formatted for print):

    snapshot            the CertificateSnapshot (e.g. ``snapshot.number``)
    holder              snapshot.holder (name_with_titles, nip_display, pangkat_golongan,
                        jabatan, unit_name)
    number, verification_code, verify_url, organizer_name, government_name, place, venue,
    predikat, issued_place_date, signer_name, signer_jabatan, signer_pangkat,
    signer_nip_display, signature_image, logo, footer_note, session_name   as in the snapshot
    course_phrase       "Pelatihan Pelayanan Prima Angkatan I"
    date_range          "20–22 November 2026"
    jp_text, jp_words   "24", "dua puluh empat"
    predikat_upper      "MEMUASKAN" (None without predikat)
    final_score_text    "86,50" (None without score)
    valid_until_text    "22 November 2029" (None when it does not expire)
    modules             rows with title, jp_text, no
    modules_total_text  sum of the modules' JP
    qr_svg              the QR code as inline SVG (already safe markup)
    fit_text(text, width_mm, max_pt, min_pt=9)   the largest font size in pt, up to max_pt, at
                        which ``text`` set in the bundled bold serif fits in width_mm
"""

import functools
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import msgspec
from fontTools.ttLib import TTFont
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from certificates.rendering.formatting import format_jp, terbilang
from certificates.rendering.qr import qr_svg
from certificates.rendering.snapshot import CertificateSnapshot
from lms.shared.indonesian import format_date, format_date_range

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
FONTS_DIR = TEMPLATES_DIR / "fonts"
#: Relative URLs in template CSS (``url(fonts/...)``) resolve against this folder.
TEMPLATES_BASE_URL = TEMPLATES_DIR.as_uri() + "/"
NAME_FONT = FONTS_DIR / "LiberationSerif-Bold.ttf"

_TRAINING_KINDS = (
    "pelatihan",
    "diklat",
    "bimbingan teknis",
    "bimtek",
    "workshop",
    "lokakarya",
    "seminar",
    "kursus",
    "sosialisasi",
    "penataran",
    "webinar",
    "orientasi",
    "coaching",
    "mentoring",
)
_PT_PER_MM = 72 / 25.4


class TemplateError(Exception):
    """A certificate template cannot be compiled or filled; the message says where and why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TemplateSource(msgspec.Struct, frozen=True, kw_only=True):
    """A template as sent to the render workers.

    Attributes:
        html: Jinja2 source producing one HTML document per certificate.
        css: the stylesheet, parsed once per worker and reused for every certificate.
        key: identifies this exact content in the workers' caches; use
            ``f"{template_id}:{version}"`` for stored templates or ``from_strings`` to derive it
            from the content. Two different contents must never share a key.
        base_url: where relative URLs (the bundled fonts) resolve.
    """

    html: str
    css: str
    key: str
    base_url: str = TEMPLATES_BASE_URL

    @classmethod
    def from_strings(
        cls, html: str, css: str, *, base_url: str = TEMPLATES_BASE_URL
    ) -> "TemplateSource":
        """Return a source whose key is the SHA-256 of its content."""
        digest = hashlib.sha256(f"{len(html)}:{html}{css}".encode()).hexdigest()[:32]
        return cls(html=html, css=css, key=f"sha256:{digest}", base_url=base_url)


@functools.cache
def default_template() -> TemplateSource:
    """Return the bundled A4-landscape certificate (page two lists the modules)."""
    html = (TEMPLATES_DIR / "certificate.html").read_text(encoding="utf-8")
    css = (TEMPLATES_DIR / "certificate.css").read_text(encoding="utf-8")
    return TemplateSource.from_strings(html, css)


@functools.cache
def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=0,
    )
    env.globals["fit_text"] = fit_text
    return env


def compile_template(html: str) -> jinja2.Template:
    """Compile template HTML once; raise ``TemplateError`` naming the line of a syntax error."""
    try:
        return _environment().from_string(html)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"Kesalahan sintaks templat pada baris {exc.lineno}: {exc.message}"
        ) from None


def render_html(template: jinja2.Template, snapshot: CertificateSnapshot) -> str:
    """Fill a compiled template; raise ``TemplateError`` for any error the template causes."""
    try:
        return template.render(build_context(snapshot))
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"Variabel templat tidak dikenal: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"Templat memakai operasi yang tidak diizinkan: {exc}") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"Templat gagal diisi: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise TemplateError(f"Templat gagal diisi: {type(exc).__name__}: {exc}") from None


def course_phrase(title: str, session_name: str | None) -> str:
    """Return "Pelatihan Pelayanan Prima Angkatan I" without doubling a kind already named."""
    lowered = title.strip().lower()
    phrase = title if lowered.startswith(_TRAINING_KINDS) else f"Pelatihan {title}"
    return f"{phrase} {session_name}" if session_name else phrase


def build_context(snapshot: CertificateSnapshot) -> dict[str, Any]:
    """Return the variables a template sees (listed in this module's docstring)."""
    modules = [
        {"no": i, "title": m.title, "jp": m.jp, "jp_text": format_jp(m.jp)}
        for i, m in enumerate(snapshot.modules, start=1)
    ]
    total = sum((Decimal(str(m.jp)) for m in snapshot.modules), Decimal(0))
    context = {f: getattr(snapshot, f) for f in snapshot.__struct_fields__}
    context.update(
        snapshot=snapshot,
        course_phrase=course_phrase(snapshot.course_title, snapshot.session_name),
        date_range=format_date_range(snapshot.start_date, snapshot.end_date),
        jp_text=format_jp(snapshot.jp),
        jp_words=terbilang(snapshot.jp),
        predikat_upper=snapshot.predikat.upper() if snapshot.predikat else None,
        final_score_text=(
            format(snapshot.final_score.quantize(Decimal("0.01")), "f").replace(".", ",")
            if snapshot.final_score is not None
            else None
        ),
        valid_until_text=format_date(snapshot.valid_until) if snapshot.valid_until else None,
        modules=modules,
        modules_total_text=format_jp(total) if modules else None,
        qr_svg=Markup(qr_svg(snapshot.verify_url)),
    )
    return context


@functools.cache
def _advance_widths() -> tuple[dict[int, float], float]:
    font = TTFont(NAME_FONT, lazy=True)
    units = font["head"].unitsPerEm
    hmtx = font["hmtx"].metrics
    widths = {cp: hmtx[glyph][0] / units for cp, glyph in font.getBestCmap().items()}
    fallback = hmtx[".notdef"][0] / units if ".notdef" in hmtx else 0.6
    font.close()
    return widths, fallback


def text_width_em(text: str) -> float:
    """Width of ``text`` in em when set in the bundled bold serif (kerning ignored)."""
    widths, fallback = _advance_widths()
    return sum(widths.get(ord(ch), fallback) for ch in text)


def fit_text(text: str, width_mm: float, max_pt: float, min_pt: float = 9) -> float:
    """Return the largest font size (pt, 0.5 pt steps) ≤ max_pt at which text fits width_mm.

    Long names ("Dr. Ir. Hj. Siti Nurhaliza Binti Abdullah, S.E., M.Si., M.H.") shrink to stay
    on one line instead of wrapping under the NIP; below ``min_pt`` the text would be unreadable,
    so it stops there.
    """
    em = text_width_em(text)
    if em <= 0:
        return float(max_pt)
    fitting = width_mm * _PT_PER_MM / em
    size = min(float(max_pt), int(fitting * 2) / 2)
    return max(float(min_pt), size)
