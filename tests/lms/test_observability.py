"""/metrics, request ids and JSON logs, as an operator's Prometheus and log shipper see them."""

from __future__ import annotations

import io
import json
import logging
import re

import httpx
import msgspec

from lms.config import get_settings
from lms.jobs import runner
from lms.observability.logs import RequestIdFilter, logging_config
from lms.observability.request_id import REQUEST_ID


def _value(text: str, name: str, **labels: str) -> float:
    """The sample ``name{labels}`` of an exposition, 0 when absent."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def _scrape(client: httpx.AsyncClient) -> str:
    resp = await client.get("/metrics")
    assert resp.status_code == 200, resp.text
    content_type = resp.headers["content-type"]
    assert content_type.startswith("text/plain; version=") and content_type.count("charset") == 1
    return resp.text


async def test_metrics_count_requests_logins_verifications_jobs_and_certificates(app, client):
    before = await _scrape(client)
    resp = await client.post("/api/v1/auth/login", json={"username": "x", "password": "salah"})
    # 429 when earlier tests used up this address's login limit: counted as "limited".
    assert resp.status_code in (401, 429)
    reason = "wrong" if resp.status_code == 401 else "limited"
    assert (await client.get("/api/v1/verify/TIDAKADA0000")).status_code == 404
    await client.get("/health/live")
    after = await _scrape(client)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("prima_login_failures_total", reason=reason) == 1
    assert delta("prima_verifications_total", channel="api", outcome="not_found") == 1
    # Requests by route template and status, with a latency histogram.
    login = {"path": "/api/v1/auth/login", "status_code": str(resp.status_code)}
    assert delta("prima_requests_total", **login) == 1
    assert delta("prima_requests_total", path="/health/live", status_code="200") == 1
    verify_404 = {"path": "/api/v1/verify/{code}", "status_code": "404"}
    assert delta("prima_request_duration_seconds_count", **verify_404) == 1
    # Unmatched paths and ids never become labels.
    assert "TIDAKADA" not in after
    # Read from the database at scrape time.
    assert re.search(r'^prima_jobs\{status="queued"\} \d+\.0$', after, re.M)
    assert re.search(r"^prima_certificates_issued_total \d+\.0$", after, re.M)


async def test_metrics_answer_only_loopback_or_the_token(app):
    outside = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
    async with httpx.AsyncClient(transport=outside, base_url="http://testserver") as c:
        assert (await c.get("/metrics")).status_code == 404

        settings = app.state.settings
        app.state.settings = msgspec.structs.replace(settings, metrics_token="rahasia-metrik")
        try:
            assert (await c.get("/metrics")).status_code == 401
            wrong = {"Authorization": "Bearer salah"}
            assert (await c.get("/metrics", headers=wrong)).status_code == 401
            right = {"Authorization": "Bearer rahasia-metrik"}
            resp = await c.get("/metrics", headers=right)
            assert resp.status_code == 200 and "prima_jobs" in resp.text
        finally:
            app.state.settings = settings


async def test_request_id_is_echoed_or_made_and_follows_into_a_job(app, client):
    given = await client.get("/health/live", headers={"X-Request-ID": "nginx-7f3a.1"})
    assert given.headers["x-request-id"] == "nginx-7f3a.1"
    made = await client.get("/health/live", headers={"X-Request-ID": "bad id\twith space"})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])

    # A job started while handling a request logs with that request's id.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter("%(request_id)s|%(message)s"))
    jobs_logger = logging.getLogger("lms.jobs")
    jobs_logger.addHandler(handler)
    old_level = jobs_logger.level
    jobs_logger.setLevel(logging.INFO)

    @runner.register("test.observed")
    async def observed(ctx: runner.JobContext) -> dict:
        logging.getLogger("lms.jobs").info("inside the job")
        return {}

    token = REQUEST_ID.set("req-from-browser")
    try:
        await runner.submit("test.observed", {}, actor=None, settings=get_settings())
    finally:
        REQUEST_ID.reset(token)
    await runner.wait_for_jobs(30)
    jobs_logger.removeHandler(handler)
    jobs_logger.setLevel(old_level)
    lines = [line for line in stream.getvalue().splitlines() if line]
    assert lines and all(line.startswith("req-from-browser|") for line in lines), lines
    assert any("inside the job" in line for line in lines)

    scraped = (await client.get("/metrics")).text
    assert _value(scraped, "prima_job_duration_seconds_count", kind="test.observed") == 1


def test_json_log_lines_carry_the_request_id_and_weasyprint_is_quiet(app):
    config = logging_config("json")
    assert config["loggers"]["weasyprint"]["level"] == "WARNING"
    assert logging.getLogger("weasyprint").getEffectiveLevel() == logging.WARNING
    formatter_spec = dict(config["formatters"]["default"])
    factory = formatter_spec.pop("()")
    module, name = factory.rsplit(".", 1)
    formatter = getattr(__import__(module, fromlist=[name]), name)(**formatter_spec)
    record = logging.LogRecord("lms.jobs", logging.INFO, __file__, 1, "job %s", ("x",), None)
    token = REQUEST_ID.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(formatter.format(record))
    assert line["level"] == "INFO" and line["logger"] == "lms.jobs"
    assert line["message"] == "job x" and line["request_id"] == "abc123"
    assert "time" in line
