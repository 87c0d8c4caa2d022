"""OpenTelemetry traces (lms.observability.tracing): off by default; with an OTLP endpoint, a
real ``lms serve`` sends a span per request to the collector over OTLP/HTTP.

The collector is a fake: a local HTTP server that takes ``POST /v1/traces`` with a protobuf
``ExportTraceServiceRequest`` (the OTLP/HTTP specification's binary encoding) and keeps the spans.
"""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from lms.config import Settings
from lms.observability import tracing
from tests.live_server import live_server


class FakeCollector:
    """An OTLP/HTTP traces receiver on a free port; ``spans`` are what it was sent."""

    def __init__(self) -> None:
        self.spans: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.content_types: list[str] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
                    ExportTraceServiceRequest,
                    ExportTraceServiceResponse,
                )

                body = self.rfile.read(int(self.headers["Content-Length"]))
                collector.paths.append(self.path)
                collector.content_types.append(self.headers["Content-Type"])
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                for resource_spans in request.resource_spans:
                    resource = _attributes(resource_spans.resource.attributes)
                    for scope_spans in resource_spans.scope_spans:
                        for span in scope_spans.spans:
                            collector.spans.append(
                                {
                                    "name": span.name,
                                    "kind": span.kind,
                                    "trace_id": span.trace_id.hex(),
                                    "span_id": span.span_id.hex(),
                                    "parent": span.parent_span_id.hex(),
                                    "attributes": _attributes(span.attributes),
                                    "resource": resource,
                                }
                            )
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeCollector:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, name: str, timeout: float = 60) -> dict[str, Any]:
        """The first span called ``name`` (the server sends its batch every 100 ms)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for span in list(self.spans):
                if span["name"] == name:
                    return span
            time.sleep(0.1)
        raise AssertionError(f"no span {name!r}; got {[s['name'] for s in self.spans]}")


def _attributes(items: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        value = item.value
        kind = value.WhichOneof("value")
        out[item.key] = getattr(value, kind) if kind else None
    return out


def get(url: str, **headers: str) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_endpoint_comes_from_prima_or_the_standard_variables():
    settings = Settings(database_url="sqlite:///x", data_dir=Path("."), secret_key="k")
    assert tracing.otlp_traces_endpoint(settings, {}) == ""
    assert (
        tracing.otlp_traces_endpoint(settings, {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"})
        == "http://c:4318/v1/traces"
    )
    full = {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/custom"}
    assert tracing.otlp_traces_endpoint(settings, full) == "http://c:4318/custom"
    ours = Settings(
        database_url="sqlite:///x", data_dir=Path("."), secret_key="k", otlp_endpoint="http://o"
    )
    assert tracing.otlp_traces_endpoint(ours, full) == "http://o/v1/traces"


def test_off_by_default_in_the_suite(app):
    assert not tracing.enabled()
    assert not any(type(p).__name__ == "OpenTelemetryPlugin" for p in app.plugins)


@pytest.fixture
def collector() -> Iterator[FakeCollector]:
    with FakeCollector() as running:
        yield running


@pytest.mark.own_server
def test_a_request_is_a_span_at_the_collector(collector: FakeCollector, tmp_path: Path):
    with live_server(
        tmp_path,
        LMS_OTLP_ENDPOINT=collector.url,
        OTEL_BSP_SCHEDULE_DELAY="100",
        LMS_LOG_LEVEL="WARNING",
    ) as base:
        code = "ABCDEFGHJKLMNPQR"
        assert get(f"{base}/api/v1/verify/{code}", **{"X-Request-ID": "trace-test-1"}) == 404
        assert get(f"{base}/masuk") == 200
        assert get(f"{base}/health/live") == 200
        verify = collector.wait_for("GET /api/v1/verify/{code}")
        page = collector.wait_for("GET /masuk")
    assert collector.paths[0] == "/v1/traces"
    assert collector.content_types[0] == "application/x-protobuf"
    attributes = verify["attributes"]
    assert attributes["http.route"] == "/api/v1/verify/{code}"
    assert attributes["http.status_code"] == 404
    assert attributes["prima.request_id"] == "trace-test-1"
    assert verify["kind"] == 2  # SPAN_KIND_SERVER
    assert verify["resource"]["service.name"] == "prima"
    assert page["attributes"]["http.status_code"] == 200
    assert len(page["attributes"]["prima.request_id"]) == 32  # made by Prima
    assert not any(s["name"].startswith("GET /health") for s in collector.spans)


async def test_a_job_run_is_a_span(monkeypatch: pytest.MonkeyPatch):
    """The job runner's call goes through ``traced_job``: a span named after the job's kind."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "_TRACER", provider.get_tracer("test"))

    async def handler(ctx: object) -> dict[str, int]:
        with tracing.query_span('SELECT "id" FROM "job"'):
            return {"done": 1}

    assert await tracing.traced_job("certificates.issue", "j-1", handler, None) == {"done": 1}
    spans = {span.name: span for span in exporter.get_finished_spans()}
    job, query = spans["job certificates.issue"], spans["SELECT"]
    assert job.name == "job certificates.issue"
    assert job.attributes["prima.job.kind"] == "certificates.issue"
    assert job.attributes["prima.job.id"] == "j-1"
    assert query.name == "SELECT"
    assert query.parent.span_id == job.context.span_id
    assert query.attributes["db.statement"] == 'SELECT "id" FROM "job"'


@pytest.mark.postgres_only
async def test_a_postgres_query_is_a_span(app, monkeypatch: pytest.MonkeyPatch):
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from lms.auth.tables import User

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "_TRACER", provider.get_tracer("test"))
    await User.count()
    (span,) = exporter.get_finished_spans()
    assert span.name == "SELECT"
    assert span.attributes["db.system"] == "postgresql"
    assert 'FROM "lms_user"' in span.attributes["db.statement"]
