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
import re
import threading
import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import msgspec
from fontTools.ttLib import TTFont
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from certificates.rendering.formatting import format_jp, terbilang
from certificates.rendering.qr import qr_svg
from certificates.rendering.snapshot import CertificateSnapshot
from lms.shared.indonesian import format_date, format_date_range
from lms.shared.pdf import base_url_of

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
FONTS_DIR = TEMPLATES_DIR / "fonts"
#: Relative URLs in template CSS (``url(fonts/...)``) resolve against this folder.
TEMPLATES_BASE_URL = base_url_of(TEMPLATES_DIR)
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

#: Limits of one fill (one certificate's HTML). A real certificate needs a few hundred loop
#: steps, a few dozen kB of HTML and a millisecond or two; the limits stop a template that
#: would keep a render worker (or the web process) busy for minutes.
MAX_LOOP_STEPS = 200_000
MAX_OUTPUT_CHARS = 1_000_000
FILL_TIME_LIMIT = 3.0
#: ``*`` and ``**`` may not build values larger than this (items, characters or bits).
MAX_PRODUCT_SIZE = 100_000
_TOO_HEAVY = "Templat terlalu berat"
#: Filters and ``str`` methods whose numeric arguments set the size of what they build.
_SIZED = frozenset(
    {"center", "ljust", "rjust", "zfill", "expandtabs", "indent", "wordwrap", "slice", "truncate"}
)
#: A printf or ``str.format`` field a million characters wide or more.
_WIDE_FIELD = re.compile(r"%[-+ #0]*\d{6,}|\{[^{}]*:[^{}]*\d{6,}[^{}]*\}")


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

    Relative URLs (``url(fonts/...)``) always resolve in the bundled templates folder: a
    template carries no base URL of its own, so no stored or sent text can point a render at
    another folder.
    """

    html: str
    css: str
    key: str

    @classmethod
    def from_strings(cls, html: str, css: str) -> "TemplateSource":
        """Return a source whose key is the SHA-256 of its content."""
        digest = hashlib.sha256(f"{len(html)}:{html}{css}".encode()).hexdigest()[:32]
        return cls(html=html, css=css, key=f"sha256:{digest}")


@functools.cache
def default_template() -> TemplateSource:
    """Return the bundled A4-landscape certificate (page two lists the modules)."""
    html = (TEMPLATES_DIR / "certificate.html").read_text(encoding="utf-8")
    css = (TEMPLATES_DIR / "certificate.css").read_text(encoding="utf-8")
    return TemplateSource.from_strings(html, css)


class _Budget(threading.local):
    """What the fill running on this thread may still spend (loop steps, calls, time)."""

    steps = 0
    deadline = 0.0

    def start(self, time_limit: float) -> None:
        self.steps = MAX_LOOP_STEPS
        self.deadline = time.monotonic() + time_limit

    def spend(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise TemplateError(
                f"{_TOO_HEAVY}: perulangan dan pemanggilan makro melebihi {MAX_LOOP_STEPS:,} "
                "langkah per sertifikat.".replace(",", ".")
            )
        if self.steps % 256 == 0 and time.monotonic() > self.deadline:
            raise TemplateError(
                f"{_TOO_HEAVY}: pengisian satu sertifikat melebihi {FILL_TIME_LIMIT:g} detik."
            )


_BUDGET = _Budget()


def _check_arguments(name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a filter or ``str`` method call that would build a huge value."""
    numbers = [a for a in (*args, *kwargs.values()) if isinstance(a, int)]
    if name in _SIZED and any(abs(n) > MAX_PRODUCT_SIZE for n in numbers):
        raise TemplateError(f"{_TOO_HEAVY}: argumen {name} terlalu besar.")
    if name == "format" and isinstance(value, str) and _WIDE_FIELD.search(value):
        raise TemplateError(f"{_TOO_HEAVY}: lebar format terlalu besar.")
    if name == "replace" and isinstance(value, str) and len(args) >= 2:
        if (len(value) + 1) * (len(str(args[1])) + 1) > MAX_OUTPUT_CHARS:
            raise TemplateError(f"{_TOO_HEAVY}: hasil replace bisa terlalu panjang.")


def _check_size(result: Any) -> Any:
    if isinstance(result, (str, list, tuple)) and len(result) > MAX_OUTPUT_CHARS:
        raise TemplateError(f"{_TOO_HEAVY}: nilai yang dibuat terlalu panjang.")
    return result


def _bounded_filter(name: str, func: Any) -> Any:
    """``func`` spending the fill's budget and refusing arguments that build huge values."""
    passes_first = hasattr(func, "jinja_pass_arg")  # context / environment comes first

    @functools.wraps(func)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        rest = args[1:] if passes_first else args
        _BUDGET.spend()
        if rest:
            _check_arguments(name, rest[0], rest[1:], kwargs)
        return _check_size(func(*args, **kwargs))

    return bounded


class _BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with a budget per fill.

    The sandbox stops a template from reaching Python internals but not from running long: two
    nested ``range(100000)`` loops or a macro calling itself twice per level take hours. Every
    ``{% for %}`` of a compiled template iterates through :meth:`iterate` (the compiled tree is
    rewritten in :func:`compile_template`) and every call (macros, ``range``, methods) goes
    through :meth:`call`, so both spend the fill's budget; ``*``, ``**``, filters and ``str``
    methods refuse results that would be huge (``"x"|center(10**9)``). The budget is per
    thread, so it also holds for fills in the web process, which cannot be interrupted any
    other way.
    """

    intercepted_binops = frozenset({"*", "**"})

    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """Iterate ``iterable``, spending one step of the budget per item."""
        for item in iterable:
            _BUDGET.spend()
            yield item

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        """Spend a step of the budget, then call as the sandbox does (``str`` methods that
        would build a huge string are refused)."""
        _BUDGET.spend()
        # A str.format reaches here wrapped by the sandbox (``__wrapped__`` is the method).
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        if isinstance(owner, str):
            _check_arguments(getattr(__obj, "__name__", ""), owner, args, kwargs)
        return _check_size(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """``*`` and ``**``, refusing results larger than ``MAX_PRODUCT_SIZE``."""
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(times, int) and hasattr(seq, "__len__"):
                    if len(seq) * times > MAX_PRODUCT_SIZE:
                        raise TemplateError(f"{_TOO_HEAVY}: hasil perkalian terlalu panjang.")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int):
            if right > 0 and abs(left) > 1 and abs(left).bit_length() * right > MAX_PRODUCT_SIZE:
                raise TemplateError(f"{_TOO_HEAVY}: hasil pangkat terlalu besar.")
        return super().call_binop(context, operator, left, right)


@functools.cache
def _environment() -> _BoundedEnvironment:
    env = _BoundedEnvironment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=0,
    )
    env.globals["fit_text"] = fit_text
    env.filters = {name: _bounded_filter(name, func) for name, func in env.filters.items()}
    return env


def compile_template(html: str) -> jinja2.Template:
    """Compile template HTML once; raise ``TemplateError`` naming the line of a syntax error.

    Every ``{% for %}`` is rewritten to iterate through the environment's budgeted ``iterate``.
    """
    env = _environment()
    try:
        tree = env.parse(html)
        for node in tree.find_all(nodes.For):
            node.iter = nodes.Call(
                nodes.EnvironmentAttribute("iterate"),
                [node.iter],
                [],
                None,
                None,
                lineno=node.lineno,
            )
        return env.from_string(tree)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"Kesalahan sintaks templat pada baris {exc.lineno}: {exc.message}"
        ) from None


def render_html(
    template: jinja2.Template, snapshot: CertificateSnapshot, *, time_limit: float = FILL_TIME_LIMIT
) -> str:
    """Fill a compiled template; raise ``TemplateError`` for any error the template causes,
    including going over the fill's budget (loop steps, calls, output size, time)."""
    _BUDGET.start(time_limit)
    try:
        parts: list[str] = []
        size = 0
        for part in template.generate(build_context(snapshot)):
            size += len(part)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateError(
                    f"{_TOO_HEAVY}: HTML satu sertifikat melebihi "
                    f"{MAX_OUTPUT_CHARS:,} karakter.".replace(",", ".")
                )
            parts.append(part)
        return "".join(parts)
    except TemplateError:
        raise
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"Variabel templat tidak dikenal: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"Templat memakai operasi yang tidak diizinkan: {exc}") from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"Templat gagal diisi: {exc}") from None
    except RecursionError:
        raise TemplateError(f"{_TOO_HEAVY}: pemanggilan makro terlalu dalam.") from None
    except MemoryError:
        raise TemplateError(f"{_TOO_HEAVY}: memori tidak cukup untuk mengisinya.") from None
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
