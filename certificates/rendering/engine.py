"""One process's certificate renderer: cached templates, one font configuration, batched layout.

A render worker (or the web process, for previews) keeps one ``RenderEngine`` for its whole life.
What a plain WeasyPrint loop pays again for every certificate is paid here once:

- the stylesheet is parsed once per template version and the bundled fonts are registered once
  in one ``FontConfiguration``;
- the Jinja template is compiled once per template version;
- decoded images (a unit's logo, a signer's signature) are kept in a small cache;
- several certificates are laid out in one WeasyPrint document, and a page whose HTML is the
  same for every certificate of the batch (the modules page of a session) is laid out once and
  shared. Each certificate is still written as its own PDF with its own font subset.

Batched layout is only used when it cannot change the result: every top-level element of
``<body>`` is a ``class="page"`` section (so each starts on a fresh page, as it would alone), the
certificates' ``<head>`` are equal, and the CSS uses no page counters or ``:first``/``:left``/
``:right`` page selectors (which would see the batch's page numbers). Otherwise each certificate
is rendered as its own document, with the same caches.
"""

import logging
import re
import threading
import xml.etree.ElementTree as ET
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import cssselect2
import tinyhtml5
import weasyprint
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from certificates.rendering.snapshot import CertificateSnapshot
from certificates.rendering.templating import (
    TEMPLATES_BASE_URL,
    TEMPLATES_DIR,
    TemplateError,
    TemplateSource,
    compile_template,
    course_phrase,
    render_html,
)
from lms.shared.pdf import LocalFetcher

LOGGER = logging.getLogger(__name__)

#: CSS that makes a page's rendering depend on its position in the document.
_POSITION_DEPENDENT = re.compile(
    r"@page\s*:(first|left|right|blank)|counter\(\s*pages?\s*\)|counters\(\s*pages?\b",
    re.IGNORECASE,
)
_PART_ATTRIBUTE = "data-prima-part"
_XMLNS = "{http://www.w3.org/2000/xmlns/}"
_PAGE_CLASS = re.compile(r"(^|\s)page(\s|$)")


class RenderError(Exception):
    """A certificate could not be turned into a PDF for a reason other than its template."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _TreeHTML(weasyprint.HTML):
    """A WeasyPrint HTML document built from an already parsed tree.

    Mirrors ``weasyprint.HTML.__init__`` after its parse step (pinned WeasyPrint 70.0), so the
    batch can be assembled from the certificates' parsed bodies without serializing and parsing
    everything a second time.
    """

    def __init__(self, root: ET.Element, base_url: str, url_fetcher: URLFetcher) -> None:
        self.base_url = base_url
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element


class _Compiled:
    """A template compiled for this process."""

    def __init__(self, source: TemplateSource, font_config: FontConfiguration, fetcher: URLFetcher):
        self.jinja = compile_template(source.html)
        self.css = weasyprint.CSS(
            string=source.css,
            base_url=TEMPLATES_BASE_URL,
            font_config=font_config,
            url_fetcher=fetcher,
        )
        #: Fixed, never from the template: relative URLs resolve inside the bundled folder.
        self.base_url = TEMPLATES_BASE_URL
        self.batchable = not _POSITION_DEPENDENT.search(source.css + source.html)
        #: Whether expat parses this template's output into the tree an HTML parser builds;
        #: None until checked, False forever once a check fails.
        self.xml_ok: bool | None = None

    def parse(self, htmls: list[str]) -> list[ET.Element]:
        """Parse filled certificates, with expat when that is proven to match HTML parsing.

        A template written as polyglot markup (``<meta ... />``, explicit ``<tbody>``) parses
        in ~0.5 ms with expat instead of ~15 ms with the HTML5 algorithm. The first
        certificate of every chunk is parsed both ways and compared, so a template whose
        markup an HTML parser would repair (``<p><div>``) is parsed as HTML from then on.
        """
        if self.xml_ok is not False and htmls:
            first = _parse_xml(htmls[0])
            if first is not None and _same_tree(first, _parse_html(htmls[0])):
                self.xml_ok = True
                roots = [first]
                for html in htmls[1:]:
                    root = _parse_xml(html)
                    roots.append(root if root is not None else _parse_html(html))
                return roots
            self.xml_ok = False
        return [_parse_html(html) for html in htmls]


def _metadata(snapshot: CertificateSnapshot) -> DocumentMetadata:
    # Set from the snapshot rather than the template's <head>, so batched and single renders
    # carry the same metadata and a template cannot omit it.
    return DocumentMetadata(
        title=f"Sertifikat {snapshot.number}",
        authors=[snapshot.organizer_name],
        description=course_phrase(snapshot.course_title, snapshot.session_name),
        generator="Prima",
        lang="id",
    )


def _parse_html(html: str) -> ET.Element:
    return tinyhtml5.parse(html, namespace_html_elements=False)


def _parse_xml(html: str) -> ET.Element | None:
    """Parse polyglot (well-formed XHTML-compatible) HTML with expat, ~30x faster; else None."""
    if "<!ENTITY" in html.upper():
        return None
    try:
        root = ET.fromstring(html)
    except ET.ParseError:
        return None
    return root if root.tag == "html" else None


def _attributes(element: ET.Element) -> dict[str, str]:
    # The HTML parser keeps a foreign element's xmlns declaration as an attribute; expat
    # folds it into the tag name. Both mean the same.
    return {k: v for k, v in element.attrib.items() if not k.startswith(_XMLNS)}


def _same_text(a: str | None, b: str | None) -> bool:
    # Whitespace-only text differs where the HTML parser moves or drops it (between table
    # parts, in <head>), and rendering ignores it there; any other text must match exactly
    # (the HTML parser drops the newline that opens a <pre>, expat keeps it).
    a, b = a or "", b or ""
    return a == b or (not a.strip() and not b.strip())


def _same_tree(a: ET.Element, b: ET.Element) -> bool:
    """Whether two parses give the same elements, attributes and text."""
    if a.tag != b.tag or _attributes(a) != _attributes(b) or len(a) != len(b):
        return False
    if not _same_text(a.text, b.text) or not _same_text(a.tail, b.tail):
        return False
    return all(_same_tree(x, y) for x, y in zip(a, b, strict=True))


def _head_and_body(root: ET.Element) -> tuple[ET.Element, ET.Element]:
    return root.find("head"), root.find("body")  # type: ignore[return-value]


class RenderEngine:
    """Renders snapshots to PDF bytes in the current process. Not thread-safe: use a lock.

    Args:
        template_cache_size: compiled templates kept (least recently used are dropped).
        image_cache_size: decoded images kept before the cache is emptied.
        batch_size: certificates laid out together in one WeasyPrint document.
    """

    def __init__(
        self, *, template_cache_size: int = 8, image_cache_size: int = 64, batch_size: int = 8
    ) -> None:
        self.font_config = FontConfiguration()
        #: Templates are organizer-written: they load only data: URIs and the bundled files.
        self.fetcher = LocalFetcher(TEMPLATES_DIR)
        self.batch_size = batch_size
        self._templates: OrderedDict[str, _Compiled] = OrderedDict()
        self._template_cache_size = template_cache_size
        self._images: dict[str, Any] = {}
        self._image_cache_size = image_cache_size
        self.rendered = 0

    def compiled(self, source: TemplateSource) -> _Compiled:
        """Return the compiled template for ``source.key``, compiling it on first use."""
        compiled = self._templates.get(source.key)
        if compiled is None:
            compiled = _Compiled(source, self.font_config, self.fetcher)
            self._templates[source.key] = compiled
            while len(self._templates) > self._template_cache_size:
                self._templates.popitem(last=False)
        else:
            self._templates.move_to_end(source.key)
        return compiled

    def render_html(self, source: TemplateSource, snapshot: CertificateSnapshot) -> str:
        """Return the filled HTML of one certificate (raises ``TemplateError``)."""
        return render_html(self.compiled(source).jinja, snapshot)

    def render(
        self, source: TemplateSource, snapshots: Sequence[CertificateSnapshot]
    ) -> list[bytes]:
        """Render each snapshot to its own PDF, in order.

        Raises:
            TemplateError: the template cannot be compiled or filled.
            RenderError: WeasyPrint failed on the filled HTML.
        """
        compiled = self.compiled(source)
        htmls = [render_html(compiled.jinja, s) for s in snapshots]
        if len(self._images) > self._image_cache_size:
            self._images.clear()
        try:
            pdfs: list[bytes] = []
            for start in range(0, len(snapshots), self.batch_size):
                chunk = snapshots[start : start + self.batch_size]
                pdfs.extend(self._render_chunk(compiled, chunk, htmls[start : start + len(chunk)]))
        except (TemplateError, RenderError):
            raise
        except Exception as exc:  # WeasyPrint raises many types; a worker must survive them.
            LOGGER.exception("certificate rendering failed")
            raise RenderError(
                f"Gagal membuat PDF sertifikat: {type(exc).__name__}: {exc}"
            ) from None
        self.rendered += len(snapshots)
        return pdfs

    def _render_chunk(
        self, compiled: _Compiled, snapshots: Sequence[CertificateSnapshot], htmls: list[str]
    ) -> list[bytes]:
        roots = compiled.parse(htmls)
        if len(roots) > 1 and compiled.batchable and _same_frame(roots):
            return self._render_together(compiled, snapshots, roots)
        return [self._render_alone(compiled, s, r) for s, r in zip(snapshots, roots, strict=True)]

    def _layout(self, compiled: _Compiled, root: ET.Element) -> weasyprint.Document:
        return _TreeHTML(root, compiled.base_url, self.fetcher).render(
            stylesheets=[compiled.css], font_config=self.font_config, cache=self._images
        )

    def _render_alone(
        self, compiled: _Compiled, snapshot: CertificateSnapshot, root: ET.Element
    ) -> bytes:
        document = self._layout(compiled, root)
        document.metadata = _metadata(snapshot)
        return document.write_pdf()

    def _render_together(
        self, compiled: _Compiled, snapshots: Sequence[CertificateSnapshot], roots: list[ET.Element]
    ) -> list[bytes]:
        # One document holds each distinct page section once; each certificate lists the
        # sections it is made of, in order.
        combined = roots[0]
        _, body = _head_and_body(combined)
        parts: dict[bytes, int] = {}
        plans: list[list[int]] = []
        new_children: list[ET.Element] = []
        for root in roots:
            plan = []
            for child in list(_head_and_body(root)[1]):
                key = ET.tostring(child)
                index = parts.get(key)
                if index is None:
                    index = parts[key] = len(new_children)
                    child.set(_PART_ATTRIBUTE, str(index))
                    style = child.get("style", "")
                    child.set(
                        "style", f"{style}; break-before: page" if style else "break-before: page"
                    )
                    new_children.append(child)
                plan.append(index)
            plans.append(plan)
        for child in list(body):
            body.remove(child)
        body.extend(new_children)

        document = self._layout(compiled, combined)
        pages_of: dict[int, list[Any]] = {}
        current = -1
        for page in document.pages:
            marker = _part_of_page(page)
            if marker is not None:
                current = marker
            pages_of.setdefault(current, []).append(page)
        if -1 in pages_of or len(pages_of) != len(new_children):
            # A section did not start its own page: the batch would not match single renders.
            LOGGER.warning("template pages are not page-aligned; rendering one by one")
            return [
                self._render_alone(compiled, s, compiled.parse([render_html(compiled.jinja, s)])[0])
                for s in snapshots
            ]
        pdfs = []
        for snapshot, plan in zip(snapshots, plans, strict=True):
            single = document.copy([page for index in plan for page in pages_of[index]])
            single.metadata = _metadata(snapshot)
            pdfs.append(single.write_pdf())
        return pdfs


def _same_frame(roots: list[ET.Element]) -> bool:
    """Whether the certificates can share one document: equal heads, only page sections."""
    first_head, first_body = _head_and_body(roots[0])
    if first_head is None or first_body is None:
        return False
    head = ET.tostring(first_head)
    for root in roots:
        root_head, root_body = _head_and_body(root)
        if root_head is None or root_body is None or root_body.attrib != first_body.attrib:
            return False
        if root.attrib != roots[0].attrib or ET.tostring(root_head) != head:
            return False
        if (root_body.text or "").strip() or not len(root_body):
            return False
        for child in root_body:
            if not isinstance(child.tag, str) or not _PAGE_CLASS.search(child.get("class", "")):
                return False
            if (child.tail or "").strip():
                return False
    return True


def _part_of_page(page: Any) -> int | None:
    """The batch section that starts or continues on this page (first element box wins)."""
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None:
            marker = element.get(_PART_ATTRIBUTE)
            if marker is not None:
                return int(marker)
    return None


_ENGINE: RenderEngine | None = None
#: Guards the process's shared engine: WeasyPrint documents and Pango objects are not thread-safe.
ENGINE_LOCK = threading.Lock()


def local_engine() -> RenderEngine:
    """The calling process's engine for one-off renders; hold ``ENGINE_LOCK`` while using it."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = RenderEngine()
    return _ENGINE
