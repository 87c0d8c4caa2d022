"""The one way Prima's WeasyPrint renders load anything: ``data:`` URIs and bundled files.

Every PDF (certificates, their template previews, the daftar hadir, transcripts, reports) is laid
out by WeasyPrint, which loads whatever the document points at: ``<img>``, ``<object>``,
``<embed>``, ``<link>``, ``<a rel="attachment">`` (embedded into the PDF as a file), SVG
``<image href>`` / ``xlink:href``, CSS ``url()`` and ``@font-face``. Certificate templates are
written by organizers, so each of those is a way to read the server's files (the secret key, the
signing key, the database) into a PDF, or to make the server call other hosts.

``LocalFetcher`` is the only fetcher any render uses. It allows ``data:`` URIs and files whose
real path lies inside the folders it was given; anything else is refused. The URL is parsed with
``urllib.parse`` (query and fragment dropped, percent-decoding done once), the path resolved with
``os.path.realpath`` (``..`` and symlinks), and the file opened here, by that resolved path: the
path that was checked is the path that is read. (WeasyPrint's own file handling strips ``?`` but
not ``#``, so a check on the raw URL can be fooled by ``secret#/../../templates/x``.)
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

#: Largest file a render may load (the bundled fonts are under 1 MB each).
MAX_FILE_BYTES = 16 * 1024 * 1024


class FetchRefused(ValueError):
    """A document pointed at something a render may not load."""


class LocalFetcher(URLFetcher):
    """Loads ``data:`` URIs, and files under ``roots`` (after resolving the real path), only.

    WeasyPrint logs a refused resource as a warning and leaves it out of the PDF.
    """

    def __init__(self, *roots: Path) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.roots = tuple(os.path.realpath(root) for root in roots)

    def allowed_path(self, url: str) -> str:
        """The real path a ``file:`` URL names, if it lies inside a root.

        Raises:
            FetchRefused: not a local ``file:`` URL, or outside every root, or not a file.
        """
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise FetchRefused(f"not a file URL: {url[:200]}")
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"file URL on another host: {url[:200]}")
        # url2pathname percent-decodes (once); query and fragment are already split off.
        path = os.path.realpath(url2pathname(parts.path))
        for root in self.roots:
            if os.path.commonpath([path, root]) == root and os.path.isfile(path):
                return path
        raise FetchRefused(f"file outside the allowed folders: {url[:200]}")

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return a ``data:`` URI's content or an allowed file's; refuse everything else."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise FetchRefused(f"renders may not load {scheme or 'relative'} URLs: {url[:200]}")
        path = self.allowed_path(url)
        with open(path, "rb") as file:
            body = file.read(MAX_FILE_BYTES + 1)
        if len(body) > MAX_FILE_BYTES:
            raise FetchRefused(f"file too large: {url[:200]}")
        mime_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(
            Path(path).as_uri(), body, headers={"Content-Type": mime_type}, status=200
        )


def base_url_of(folder: Path) -> str:
    """The ``file:`` URL relative references in a bundled template resolve against."""
    return Path(os.path.realpath(folder)).as_uri() + "/"


def html_to_pdf(html: str, folder: Path) -> bytes:
    """Render Prima's own HTML (a report, a sheet) to PDF, loading only files under ``folder``.

    Blocking and CPU-heavy: call it on a worker thread.
    """
    return HTML(
        string=html, base_url=base_url_of(folder), url_fetcher=LocalFetcher(folder)
    ).write_pdf()
