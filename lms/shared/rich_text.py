"""Question text written as HTML (GIFT's ``[html]``), made safe to print on a page.

A bank imported from Moodle carries questions such as ``[html]<p>Lihat <b>tabel</b></p>``;
printed escaped, a participant read the tags. The text is untrusted (anyone who uploads a
bank writes it), so it is cleaned at render time with nh3 (the Ammonia sanitizer) to a small
allowlist: emphasis, sub/superscripts, line breaks, paragraphs, lists, code and plain tables.
No attribute survives (no ``style``, ``on*`` handlers, ``class``), nor links, images, forms or
frames; the content of ``script`` and ``style`` is dropped with them, other unknown tags leave
their text. Text in any other format stays text (the page escapes it).

Three shapes, by where the text goes: :func:`block_html` for a question's own text (block
elements allowed), :func:`inline_html` for an option inside a ``<label>`` (phrasing elements
only), :func:`plain_text` where markup cannot go (an ``<option>``, a truncated line, a file).
"""

from __future__ import annotations

import html
import re

import nh3
from markupsafe import Markup

HTML_FORMAT = "html"
_BREAKS = re.compile(r"<(?:br|/p|/li|/td|/th|/tr|/caption)\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
INLINE_TAGS = frozenset({"b", "i", "em", "strong", "u", "sub", "sup", "br", "code"})
BLOCK_TAGS = INLINE_TAGS | frozenset(
    {"p", "ul", "ol", "li", "pre", "table", "caption", "thead", "tbody", "tr", "th", "td"}
)


def _clean(text: str, tags: frozenset[str]) -> str:
    return nh3.clean(
        text,
        tags=set(tags),
        attributes={},
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    )


def block_html(text: str, text_format: str) -> Markup | str:
    """A question's text for the page: cleaned markup when it is HTML, else the text (which
    the template escapes)."""
    if text_format != HTML_FORMAT:
        return text
    return Markup(_clean(text, BLOCK_TAGS))  # noqa: S704 - cleaned to the allowlist above


def inline_html(text: str, text_format: str) -> Markup | str:
    """An option's or item's text for a label: phrasing elements only."""
    if text_format != HTML_FORMAT:
        return text
    return Markup(_clean(text, INLINE_TAGS))  # noqa: S704 - cleaned to the allowlist above


def plain_text(text: str, text_format: str) -> str:
    """The text without any markup (an HTML text's tags removed, its entities read), for
    places that hold text only; the caller escapes it as any other text."""
    if text_format != HTML_FORMAT:
        return text
    spaced = _BREAKS.sub(lambda m: m.group(0) + " ", text)
    return _SPACES.sub(" ", html.unescape(_clean(spaced, frozenset()))).strip()
