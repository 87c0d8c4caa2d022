"""Certificate templates cannot read the server's files into a PDF, by any vector.

Each case points a template at canary files in a data folder (a secret key, an image, a
stylesheet, a font) through one of the ways WeasyPrint loads resources, with the URL shapes a
probe used: an absolute ``file:`` URL whose ``#fragment`` climbs back into the templates folder,
a relative URL with the same fragment, a plain relative path, and a percent-encoded one. The PDF
must carry none of them: no embedded file, no canary bytes in any (decoded) stream, no image, no
canary text, no canary font.
"""

from __future__ import annotations

import base64
import io
import os
import secrets
import shutil
from pathlib import Path

import pypdf
import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf.generic import IndirectObject, StreamObject

from certificates.rendering.snapshot import sample_snapshot
from certificates.rendering.templating import FONTS_DIR, TEMPLATES_DIR, TemplateSource
from certificates.rendering.workers import render_one
from lms.config import get_settings
from lms.shared.pdf import LocalFetcher, html_to_pdf
from tests.certificates.builders.issuing import render_pool  # noqa: F401 (a fixture)

CANARY_FONT = "PrimaCanaryFont"


class Canaries:
    """Files an attacker wants, in a data folder outside the templates folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.secret = f"PRIMA-CANARY-{secrets.token_hex(8)}".encode()
        (folder / "secret_key").write_bytes(self.secret)
        Image.new("RGB", (40, 20), (200, 30, 30)).save(folder / "canary.png")
        (folder / "canary.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="20">'
            '<text x="0" y="15" font-size="12">CANARYSVG</text></svg>',
            encoding="utf-8",
        )
        (folder / "canary.css").write_text(
            'body::after { content: "CANARYSTYLESHEET"; }', encoding="utf-8"
        )
        font = TTFont(FONTS_DIR / "LiberationSans-Regular.ttf")
        for record in font["name"].names:
            if record.nameID in (1, 4, 6, 16):
                record.string = CANARY_FONT
        font.save(folder / "canary.ttf")
        # A symlink inside the templates folder must not lead out of it either.
        self.link = TEMPLATES_DIR / f"canary-link-{secrets.token_hex(4)}"

    def hrefs(self, name: str) -> list[str]:
        """The URL shapes that name ``name`` in the data folder."""
        target = self.folder / name
        climb = "/.." * (len(target.parts) + 2) + str(TEMPLATES_DIR) + "/x"
        relative = os.path.relpath(target, TEMPLATES_DIR)
        encoded = relative.replace("..", "%2e%2e").replace(name, name.replace("_", "%5F"))
        return [
            f"{target.as_uri()}#{climb}",
            f"{relative}#{climb}",
            f"{target}#{climb}",
            f"{target.as_uri()}?x=1#{climb}",
            relative,
            encoded,
            target.as_uri(),
            f"file://localhost{target}",
        ]


@pytest.fixture(scope="module")
def canaries(tmp_path_factory):
    return Canaries(tmp_path_factory.mktemp("data"))


def _objects(pdf: bytes) -> list[object]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    ids = {(num, gen) for gen, entries in reader.xref.items() for num in entries}
    ids |= {(num, 0) for num in reader.xref_objStm}
    return [reader.get_object(IndirectObject(num, gen, reader)) for num, gen in sorted(ids)]


def _streams(pdf: bytes) -> list[bytes]:
    return [obj.get_data() for obj in _objects(pdf) if isinstance(obj, StreamObject)]


def _embedded_files(pdf: bytes) -> list[object]:
    return [
        obj
        for obj in _objects(pdf)
        if hasattr(obj, "get") and obj.get("/Type") in ("/EmbeddedFile", "/Filespec")
    ]


def _fonts(pdf: bytes) -> set[str]:
    return {
        str(obj.get("/BaseFont"))
        for obj in _objects(pdf)
        if hasattr(obj, "get") and obj.get("/BaseFont") is not None
    }


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _render(html: str, css: str = "") -> bytes:
    page = (
        f'<html><head></head><body><section class="page"><p>Isi</p>{html}</section></body></html>'
    )
    return render_one(TemplateSource.from_strings(page, css), sample_snapshot())


def _assert_no_leak(pdf: bytes, canaries: Canaries) -> None:
    assert pdf.startswith(b"%PDF-")
    assert canaries.secret not in pdf
    assert not any(canaries.secret in stream for stream in _streams(pdf))
    assert _embedded_files(pdf) == []
    assert "CANARY" not in _text(pdf)
    assert not any(CANARY_FONT in name for name in _fonts(pdf))
    assert not any(
        isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Image" for obj in _objects(pdf)
    )


HTML_VECTORS = {
    "a_rel_attachment": ('<a rel="attachment" href="{href}">k</a>', "secret_key"),
    "a_rel_attachment_download": (
        '<a rel="attachment" download="k" href="{href}">k</a>',
        "secret_key",
    ),
    "link_rel_attachment": ('<link rel="attachment" href="{href}">', "secret_key"),
    "object": ('<object data="{href}" type="image/png"></object>', "canary.png"),
    "object_svg": ('<object data="{href}"></object>', "canary.svg"),
    "embed": ('<embed src="{href}" type="image/png">', "canary.png"),
    "img": ('<img src="{href}">', "canary.png"),
    "img_svg": ('<img src="{href}">', "canary.svg"),
    "iframe": ('<iframe src="{href}"></iframe>', "canary.svg"),
    "link_stylesheet": ('<link rel="stylesheet" href="{href}">', "canary.css"),
    "svg_image_href": (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<image href="{href}" width="40" height="20"/></svg>',
        "canary.png",
    ),
    "svg_image_xlink_href": (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="40" height="20"><image xlink:href="{href}" width="40" height="20"/></svg>',
        "canary.png",
    ),
    "style_attribute_url": (
        "<div style=\"background: url('{href}'); height: 2cm\"></div>",
        "canary.png",
    ),
    "style_element_import": ("<style>@import url('{href}');</style>", "canary.css"),
}

CSS_VECTORS = {
    "css_background_url": ("body {{ background-image: url('{href}'); }}", "canary.png"),
    "css_list_style_image": ("li {{ list-style-image: url('{href}'); }}", "canary.png"),
    "css_content_url": ("p::before {{ content: url('{href}'); }}", "canary.png"),
    "css_import": ("@import url('{href}');", "canary.css"),
    "css_font_face": (
        "@font-face {{ font-family: PrimaCanaryFont; src: url('{href}'); }}"
        " p {{ font-family: PrimaCanaryFont; }}",
        "canary.ttf",
    ),
}


@pytest.mark.parametrize("vector", sorted(HTML_VECTORS))
def test_html_vectors_load_nothing_outside_the_templates_folder(canaries, vector):
    markup, name = HTML_VECTORS[vector]
    for href in canaries.hrefs(name):
        html = markup.replace("{href}", href)
        _assert_no_leak(_render(html + "<ul><li>a</li></ul>"), canaries)


@pytest.mark.parametrize("vector", sorted(CSS_VECTORS))
def test_css_vectors_load_nothing_outside_the_templates_folder(canaries, vector):
    rule, name = CSS_VECTORS[vector]
    for href in canaries.hrefs(name):
        css = rule.format(href=href)
        _assert_no_leak(_render("<ul><li>a</li></ul>", css), canaries)


def test_an_svg_data_uri_cannot_reach_files_either(canaries):
    for href in canaries.hrefs("canary.png"):
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
            f'<image href="{href}" width="40" height="20"/></svg>'
        )
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        _assert_no_leak(_render(f'<img src="{uri}">'), canaries)


def test_a_base_element_does_not_move_relative_urls_out(canaries):
    base = canaries.folder.as_uri() + "/"
    pdf = _render(
        f'<base href="{base}"><img src="canary.png"><a rel="attachment" href="secret_key">k</a>'
    )
    _assert_no_leak(pdf, canaries)
    pdf = html_to_pdf(f'<base href="{base}"><p>Isi</p><img src="canary.png">', TEMPLATES_DIR)
    _assert_no_leak(pdf, canaries)


def test_a_symlink_in_the_templates_folder_does_not_lead_out(canaries):
    canaries.link.symlink_to(canaries.folder / "secret_key")
    try:
        for href in (canaries.link.as_uri(), canaries.link.name):
            _assert_no_leak(_render(f'<a rel="attachment" href="{href}">k</a>'), canaries)
    finally:
        canaries.link.unlink()


def test_network_urls_are_refused():
    fetcher = LocalFetcher(TEMPLATES_DIR)
    for url in (
        "http://127.0.0.1/",
        "https://example.com/x.png",
        "ftp://127.0.0.1/x",
        "file://evil.example/etc/passwd",
        "jar:file:///etc/passwd!/",
        "fonts/LiberationSans-Regular.ttf",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_data_uris_and_bundled_files_still_load():
    fetcher = LocalFetcher(TEMPLATES_DIR)
    font = (FONTS_DIR / "LiberationSans-Regular.ttf").as_uri()
    assert fetcher.fetch(font).read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch(f"{font}?v=1#x").read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain;base64,aGFsbw==").read() == b"halo"
    # The built-in template's fonts and a data: image still make it into the PDF.
    png = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 0, 0)).save(png, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    css = (
        "@font-face { font-family: X; src: url(fonts/LiberationSerif-Bold.ttf); }"
        " p { font-family: X; }"
    )
    pdf = _render(f'<img src="{uri}">', css)
    assert any(name.endswith("+X-Bold") for name in _fonts(pdf)), _fonts(pdf)
    assert any(
        isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Image" for obj in _objects(pdf)
    )


def test_other_pdfs_use_the_same_fetcher(canaries, tmp_path):
    # The daftar hadir and the transcript render Prima's own templates with html_to_pdf; its
    # fetcher is the same LocalFetcher, rooted at their templates folder.
    folder = tmp_path / "templates"
    folder.mkdir()
    shutil.copy(FONTS_DIR / "LiberationSans-Regular.ttf", folder / "font.ttf")
    for href in canaries.hrefs("secret_key"):
        pdf = html_to_pdf(f'<p>Isi</p><a rel="attachment" href="{href}">k</a>', folder)
        _assert_no_leak(pdf, canaries)
    pdf = html_to_pdf('<a rel="attachment" href="font.ttf">k</a>', folder)
    assert len(_embedded_files(pdf)) == 2  # the file itself and its file specification


@pytest.mark.usefixtures("render_pool")
async def test_the_preview_api_returns_no_file_of_the_data_dir(app, client, organizer):
    folder = get_settings().data_dir / f"canary-{secrets.token_hex(4)}"
    folder.mkdir(parents=True)
    canaries = Canaries(folder)
    hrefs = canaries.hrefs("secret_key")
    links = "".join(f'<a rel="attachment" href="{href}">k{i}</a> ' for i, href in enumerate(hrefs))
    for url, body in (
        ("/api/v1/certificate-templates/preview", {"html": f"<p>Isi {links}</p>"}),
        ("/api/v1/certificate-templates", {"name": "Uji", "html": f"<p>Isi {links}</p>"}),
    ):
        resp = await client.post(url, json=body, headers=organizer.headers)
        assert resp.status_code in (200, 201), resp.text
        if url.endswith("preview"):
            _assert_no_leak(resp.content, canaries)
