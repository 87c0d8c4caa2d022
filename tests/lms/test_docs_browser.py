"""The API docs page (``/schema``) in a real browser: Debian's chromium, driven by Playwright.

Swagger UI must read our OpenAPI 3.1 document (Swagger UI 4 could not: "does not specify a
valid version field") and list the operations, with every request the page makes going to our
own server: the docs work on an office network without internet.

Skipped when chromium is not installed (``make browser``).
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from lms.app import SWAGGER_UI_VERSION
from tests.live_server import live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.own_server,
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)"
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("docs-server")) as base:
        yield base


# Swagger UI (since 5.33) virtualizes the operations list once it has 150 rows or more (tags plus
# operations; ours passed that at 21 tags and 130 operations): only the rows near the viewport
# are in the page, the others appear as the reader scrolls. The test scrolls like a reader and
# checks that every operation and every tag of the document shows up.
_ROWS_COVER_VIEWPORT = """() => {
    const list = document.querySelector('.operations-virtual__list');
    if (!list) return true;  // a short document: every row is rendered
    const box = list.getBoundingClientRect();
    const top = Math.max(box.top, 0), bottom = Math.min(box.bottom, window.innerHeight);
    if (bottom <= top) return true;  // the list is out of view
    const rows = [...list.children].map((row) => row.getBoundingClientRect());
    return rows.length > 0 && Math.min(...rows.map((r) => r.top)) <= top + 1
        && Math.max(...rows.map((r) => r.bottom)) >= bottom - 1;
}"""
_RENDERED = """() => ({
    operations: [...document.querySelectorAll('.opblock')].map((block) => [
        block.querySelector('.opblock-summary-method')?.innerText.toLowerCase(),
        block.querySelector('.opblock-summary-path')?.dataset.path,
        block.querySelector('.opblock-summary-description')?.innerText,
    ]),
    tags: [...document.querySelectorAll('.opblock-tag')].map((tag) => tag.dataset.tag),
    atBottom: window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1,
})"""


def _documented(document: dict[str, Any]) -> tuple[set[tuple[str, str]], set[str]]:
    operations = {
        (method, path)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "responses" in operation
    }
    tags = {
        tag
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    return operations, tags


def test_docs_page_lists_the_operations_of_the_31_document(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with urllib.request.urlopen(f"{server}/schema/openapi.json") as answer:
        documented_operations, documented_tags = _documented(json.load(answer))
    requests: list[str] = []
    errors: list[str] = []
    operations: set[tuple[str, str]] = set()
    tags: set[str] = set()
    summaries: set[str] = set()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{server}/schema")
            # The operations, or Swagger UI's message that it cannot read the document.
            page.wait_for_selector(
                ".opblock-summary, .version-pragma, .errors-wrapper", timeout=60_000
            )
            body = page.inner_text("body")
            title = " ".join(page.locator(".information-container .title").all_inner_texts())
            # Scroll a screen at a time, reading the rows once the list has drawn them there.
            for _ in range(500):
                page.wait_for_function(_ROWS_COVER_VIEWPORT, timeout=30_000)
                rendered = page.evaluate(_RENDERED)
                operations.update((method, path) for method, path, _ in rendered["operations"])
                summaries.update(summary for _, _, summary in rendered["operations"])
                tags.update(rendered["tags"])
                if rendered["atBottom"]:
                    break
                page.evaluate("window.scrollBy(0, window.innerHeight)")
        finally:
            browser.close()

    assert "Unable to render this definition" not in body
    assert "does not specify a valid version field" not in body
    assert "Prima API" in title and "OAS 3.1" in title
    assert {"Login", "Me"} <= summaries, summaries
    assert ("post", "/api/v1/auth/login") in operations
    assert ("get", "/api/v1/verify/{code}") in operations
    assert len(documented_operations) > 100 and len(documented_tags) > 20
    assert documented_operations - operations == set()  # every operation, not only the first tag
    assert documented_tags - tags == set()  # and every tag
    assert errors == []
    assert requests[0] == f"{server}/schema"
    assert f"{server}/static/swagger-ui/{SWAGGER_UI_VERSION}/swagger-ui-bundle.js" in requests
    assert all(url.startswith(f"{server}/") for url in requests), requests
