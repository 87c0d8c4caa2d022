"""Certificate gauges for ``/metrics``, read from the database at scrape time (registered by
the composition root with ``lms.observability.metrics.add_scrape_source``)."""

from __future__ import annotations

from collections.abc import Iterable

from piccolo.query.functions.aggregate import Count
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from certificates.tables import Certificate


async def certificate_metrics() -> Iterable[Metric]:
    """Certificates by stored status (expiry is computed when read, not stored), and the
    total ever issued (rows are never deleted)."""
    rows = await Certificate.select(Certificate.status, Count(Certificate.id, alias="n")).group_by(
        Certificate.status
    )
    by_status = {row["status"]: row["n"] for row in rows}
    gauge = GaugeMetricFamily("prima_certificates", "Certificates by status", labels=["status"])
    for status in sorted({"valid", "revoked", "superseded", *by_status}):
        gauge.add_metric([status], by_status.get(status, 0))
    issued = CounterMetricFamily("prima_certificates_issued", "Certificates issued, ever")
    issued.add_metric([], sum(by_status.values()))
    return [gauge, issued]
