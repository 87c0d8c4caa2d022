"""OpenTelemetry traces, sent over OTLP/HTTP, only when an endpoint is configured.

Off by default: without ``LMS_OTLP_ENDPOINT`` (or the standard ``OTEL_EXPORTER_OTLP_ENDPOINT``
/ ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) nothing of the SDK is imported, no middleware is
added and :func:`traced_job`, :func:`annotate_response` and :func:`query_span` cost one check of
a module flag.

When on, :func:`tracing_plugins` gives Litestar's ``OpenTelemetryPlugin``: one server span per
HTTP request, outermost (named ``GET /api/v1/verify/{code}`` after the route, with
``http.route``, ``http.status_code`` and ``prima.request_id``; health probes, ``/metrics`` and
static files are left out), a child span per PostgreSQL
query (``db.system``, ``db.statement`` as the statement's template, never its values), and a
span around every job run (``prima.job.kind``, ``prima.job.id``), whether the job runs in the
web process or in an ``lms worker``. Spans leave in batches (``BatchSpanProcessor``), so a slow
collector never holds a request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from lms.config import Settings

T = TypeVar("T")

_TRACER: Any = None  # the tracer when tracing is on (None: off)
_PROVIDER: Any = None


def otlp_traces_endpoint(settings: Settings, environ: dict[str, str] | None = None) -> str:
    """The OTLP/HTTP traces URL, or "" when tracing is off.

    ``LMS_OTLP_ENDPOINT`` and ``OTEL_EXPORTER_OTLP_ENDPOINT`` name the collector's base URL
    (``http://collector:4318``; ``/v1/traces`` is added); ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``
    is the full URL, used as given.
    """
    env = os.environ if environ is None else environ
    base = settings.otlp_endpoint or env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")
    traces = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
    if traces and not settings.otlp_endpoint:
        return traces
    if not base:
        return ""
    base = base.rstrip("/")
    return base if base.endswith("/v1/traces") else f"{base}/v1/traces"


def enabled() -> bool:
    """True once :func:`tracing_plugins` has set up tracing in this process."""
    return _TRACER is not None


def start_tracing(settings: Settings, *, service: str = "prima") -> bool:
    """Set up the SDK (tracer provider, OTLP/HTTP exporter in a batch) when an endpoint is
    configured; once per process. True when tracing is on."""
    global _TRACER, _PROVIDER
    endpoint = otlp_traces_endpoint(settings)
    if not endpoint:
        return False
    if _TRACER is not None:
        return True
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    import lms

    resource = Resource.create(
        {
            "service.name": os.environ.get("OTEL_SERVICE_NAME", service),
            "service.version": lms.__version__,
        }
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    _PROVIDER = provider
    _TRACER = provider.get_tracer("prima", lms.__version__)
    return True


def stop_tracing() -> None:
    """Send the spans still in the batch and stop (process shutdown)."""
    global _TRACER, _PROVIDER
    if _PROVIDER is not None:
        _PROVIDER.shutdown()
    _TRACER = _PROVIDER = None


def flush(timeout_millis: int = 5000) -> None:
    """Send the spans waiting in the batch now."""
    if _PROVIDER is not None:
        _PROVIDER.force_flush(timeout_millis)


def tracing_plugins(settings: Settings) -> list[Any]:
    """Litestar's OpenTelemetry plugin when tracing is configured, else nothing."""
    if not start_tracing(settings):
        return []
    from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin

    return [
        OpenTelemetryPlugin(
            OpenTelemetryConfig(
                tracer_provider=_PROVIDER,
                # One span per request: not one more per ASGI receive and send message.
                exclude_spans=["receive", "send"],
                # Probes and scrapes every few seconds would drown the traces.
                exclude=["^/health", "^/metrics", "^/static/"],
            )
        )
    ]


def annotate_response(scope: Any, request_id: str) -> None:
    """Name the request's span after its route (``GET /api/v1/verify/{code}``: the template,
    not the path with its values, which is all the span knows when it starts, before routing)
    and put the request id on it; called by the request-id middleware as the answer starts."""
    if _TRACER is None:
        return
    from opentelemetry import trace

    span = trace.get_current_span()
    if not span.is_recording():
        return
    span.set_attribute("prima.request_id", request_id)
    template = scope.get("path_template")
    if template:
        span.update_name(f"{scope.get('method', '')} {template}".strip())
        span.set_attribute("http.route", template)


def query_span(statement: str, system: str = "postgresql") -> Any:
    """A context manager: a client span around one database query (a no-op when off)."""
    if _TRACER is None:
        return nullcontext()
    return _query_span(statement, system)


@contextmanager
def _query_span(statement: str, system: str) -> Iterator[None]:
    from opentelemetry.trace import SpanKind

    verb = re.match(r"\s*(\w+)", statement)
    with _TRACER.start_as_current_span(
        verb.group(1).upper() if verb else "QUERY",
        kind=SpanKind.CLIENT,
        attributes={"db.system": system, "db.statement": statement[:2000]},
    ):
        yield


async def traced_job(
    kind: str, job_id: object, handler: Callable[[Any], Awaitable[T]], ctx: Any
) -> T:
    """``await handler(ctx)`` inside a span for the job run (the job runner's one call)."""
    if _TRACER is None:
        return await handler(ctx)
    from lms.observability.request_id import current_request_id

    attributes = {"prima.job.kind": kind, "prima.job.id": str(job_id)}
    request_id = current_request_id()
    if request_id:
        attributes["prima.request_id"] = request_id
    with _TRACER.start_as_current_span(f"job {kind}", attributes=attributes):
        return await handler(ctx)
