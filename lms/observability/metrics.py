"""``/metrics`` in Prometheus's text format.

Litestar's Prometheus middleware counts requests by route template and status with latency
histograms (``prima_requests_total``, ``prima_request_duration_seconds``). On top of it:

- ``prima_verifications_total{channel, outcome}`` and ``prima_login_failures_total{reason}``,
  read off the same responses (no code in the verify or login paths);
- ``prima_job_duration_seconds{kind, status}``, observed by the job runner;
- gauges read from the database at scrape time, so every process and machine reports the same
  truth: jobs by status (the queue's depth), and what each app adds with ``add_scrape_source``
  (certificates issued, by status).

Several uvicorn workers share counters through prometheus_client's multiprocess mode: ``lms
serve --workers N`` sets ``PROMETHEUS_MULTIPROC_DIR`` before the workers start.

Access: with ``LMS_METRICS_TOKEN`` set, a scrape must send ``Authorization: Bearer <token>``;
without it only loopback callers are answered (a Prometheus on the same machine, or nginx's
internal location), everyone else gets 404.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from litestar import Request, get
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.plugins.prometheus import PrometheusConfig, PrometheusMiddleware
from litestar.response import Response
from litestar.types import Message, Receive, Scope, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from lms.config import Settings

disable_created_metrics()  # no ``*_created`` series: they double the exposition for nothing

PREFIX = "prima"
VERIFY_TEMPLATES = {
    "/api/v1/verify/{code}": "api",
    "/verify/{code}": "page",
}
LOGIN_TEMPLATE = "/api/v1/auth/login"
_LOOPBACK = {"127.0.0.1", "::1", "localhost", "testclient"}

VERIFICATIONS = Counter(
    f"{PREFIX}_verifications_total",
    "Certificate verifications by channel (api, page) and outcome",
    ["channel", "outcome"],
)
LOGIN_FAILURES = Counter(
    f"{PREFIX}_login_failures_total", "Refused logins (wrong password, rate limited)", ["reason"]
)
JOB_DURATION = Histogram(
    f"{PREFIX}_job_duration_seconds",
    "Job run time from start to finish",
    ["kind", "status"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, float("inf")),
)
_OUTCOMES = {200: "found", 404: "not_found", 429: "limited", 400: "bad_request"}

ScrapeSource = Callable[[], Awaitable[Iterable[Metric]]]
_SOURCES: list[ScrapeSource] = []


def add_scrape_source(source: ScrapeSource) -> None:
    """Register an async function that reads gauges from the database at each scrape (the
    composition root adds the other apps' sources, so ``lms`` imports neither)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


class PrimaMetricsMiddleware(PrometheusMiddleware):
    """Litestar's middleware, plus the verification and login counters read off the status."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 0

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await super().__call__(scope, receive, capture)
        template = scope.get("path_template", "")  # type: ignore[call-overload]
        channel = VERIFY_TEMPLATES.get(template)
        if channel:
            VERIFICATIONS.labels(channel, _OUTCOMES.get(status, str(status))).inc()
        elif template == LOGIN_TEMPLATE and status in (401, 429):
            LOGIN_FAILURES.labels("limited" if status == 429 else "wrong").inc()


def prometheus_config() -> PrometheusConfig:
    """Requests grouped by route template (no cardinality explosion from ids), unmatched paths
    left out, /metrics itself not counted."""
    return PrometheusConfig(
        app_name="prima",
        prefix=PREFIX,
        group_path=True,
        exclude_unhandled_paths=True,
        exclude=["^/metrics"],
        middleware_class=PrimaMetricsMiddleware,
    )


async def _job_gauges() -> Iterable[Metric]:
    from piccolo.query.functions.aggregate import Count

    from lms.jobs.tables import Job

    rows = await Job.select(Job.status, Count(Job.id, alias="n")).group_by(Job.status)
    gauge = GaugeMetricFamily(
        f"{PREFIX}_jobs", "Jobs by status (queued = queue depth)", labels=["status"]
    )
    seen = {row["status"]: row["n"] for row in rows}
    for status in ("queued", "running", "succeeded", "failed", "interrupted"):
        gauge.add_metric([status], seen.get(status, 0))
    return [gauge]


class _Fixed:
    """A collector that hands back metrics read before the scrape (prometheus_client's
    collectors are synchronous; the database is read asynchronously first)."""

    def __init__(self, metrics: list[Metric]) -> None:
        self.metrics = metrics

    def collect(self) -> Iterable[Metric]:
        return self.metrics


async def render_metrics() -> bytes:
    """The whole exposition: this process's (or every worker's) counters, then the DB gauges."""
    registry: Any = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    from_db: list[Metric] = list(await _job_gauges())
    for source in _SOURCES:
        from_db.extend(await source())
    db_registry = CollectorRegistry(auto_describe=False)
    db_registry.register(_Fixed(from_db))  # type: ignore[arg-type]
    return generate_latest(registry) + generate_latest(db_registry)


def _allowed(request: Request[Any, Any, Any], settings: Settings) -> None:
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise NotAuthorizedException("Token metrik tidak valid.")
        return
    host = request.client.host if request.client else ""
    if host not in _LOOPBACK:
        raise NotFoundException()


@get(
    "/metrics",
    operation_id="getMetrics",
    include_in_schema=False,
    opt={"exclude_from_auth": True},
)
async def metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Prometheus scrape endpoint (token or loopback only)."""
    _allowed(request, request.app.state.settings)
    # Litestar adds the charset itself: without this split it would be sent twice.
    media_type = CONTENT_TYPE_LATEST.split("; charset=")[0]
    return Response(await render_metrics(), media_type=media_type)
