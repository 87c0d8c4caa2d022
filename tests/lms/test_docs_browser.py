"""The API docs page (``/schema``) in a real browser: Debian's chromium, driven by Playwright.

Swagger UI must read our OpenAPI 3.1 document (Swagger UI 4 could not: "does not specify a
valid version field") and list the operations, with every request the page makes going to our
own server: the docs work on an office network without internet.

Skipped when chromium is not installed (``make browser``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from lms.app import SWAGGER_UI_VERSION
from tests.live_server import live_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)"
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("docs-server")) as base:
        yield base


def test_docs_page_lists_the_operations_of_the_31_document(server: str) -> None:
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    errors: list[str] = []
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
            # Swagger UI renders a long document tag by tag: wait for one of the last tags
            # (reading at the first operation sees only the first few tags on a busy machine).
            if page.locator(".opblock-summary").count():
                page.locator(
                    ".opblock-summary-path", has_text="/api/v1/verify/{code}"
                ).first.wait_for(timeout=60_000)
            body = page.inner_text("body")
            title = " ".join(page.locator(".information-container .title").all_inner_texts())
            summaries = page.locator(".opblock-summary-description").all_inner_texts()
            paths = page.locator(".opblock-summary-path").all_inner_texts()
        finally:
            browser.close()

    assert "Unable to render this definition" not in body
    assert "does not specify a valid version field" not in body
    assert "Prima API" in title and "OAS 3.1" in title
    assert {"Login", "Me"} <= set(summaries), summaries
    assert "/api/v1/auth/login" in paths
    assert "/api/v1/verify/{code}" in paths
    assert len(summaries) > 100  # every operation, not only the first tag
    assert errors == []
    assert requests[0] == f"{server}/schema"
    assert f"{server}/static/swagger-ui/{SWAGGER_UI_VERSION}/swagger-ui-bundle.js" in requests
    assert all(url.startswith(f"{server}/") for url in requests), requests
