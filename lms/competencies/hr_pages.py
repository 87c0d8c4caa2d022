"""HR's pages (``/sdm``): JP compliance by unit for a year, a unit with its people short of
target, a person's transcript (and its PDF), the exports, and the SKM upload with the
training-impact report.

They call the services of the API (``ComplianceService``, ``TranscriptService``,
``SiasnService``, ``SurveyService``, ``ImpactService``, ``PersonService``) with the page's
caller, so the scope is the API's: HR sees their unit and below, admins everything, and a unit
or person outside it is a 404. The downloads are page routes too (the API wants a bearer
token; a page has the cookie session).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, QueryParameter
from litestar.response import Response, Template

from lms.competencies.chart import element_bars
from lms.competencies.compliance import ComplianceService
from lms.competencies.impact import ImpactService
from lms.competencies.pdf import PDF_MEDIA_TYPE
from lms.competencies.report_schemas import (
    ComplianceReport,
    GroupCompliance,
    SkmUploadResult,
    TrainingImpactReport,
)
from lms.competencies.siasn import SiasnService
from lms.competencies.surveys import SurveyService
from lms.competencies.transcript import TranscriptService
from lms.config import Settings
from lms.people.services import PersonService
from lms.shared.errors import BadRequest, DomainError
from lms.shared.indonesian import format_date_range, format_figure_id
from lms.shared.responses import attachment
from lms.shared.tabular import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
HR_ONLY = [page_guard("hr")]
PAGE_SIZE = 25
YEARS_BACK = 4
YearQuery = Annotated[int | None, QueryParameter(name="tahun", ge=1990, le=2100)]
UnitQuery = Annotated[UUID | None, QueryParameter(name="unit")]
PageQuery = Annotated[int, QueryParameter(name="hal", ge=1, le=100_000)]
SearchQuery = Annotated[str | None, QueryParameter(name="q", max_length=100)]
_ASN_LABELS = {"pns": "PNS", "pppk": "PPPK", "non_asn": "Non-ASN"}


def _number(value: float | Decimal | None, places: int = 2) -> str:
    """``24``, ``1,5`` or ``87,35``: a figure as people write it."""
    if value is None:
        return "–"
    return format_figure_id(Decimal(str(value)), places)


def _this_year(settings: Settings) -> int:
    return dt.datetime.now(ZoneInfo(settings.timezone)).year


def _years(settings: Settings, chosen: int) -> list[int]:
    now = _this_year(settings)
    years = set(range(now - YEARS_BACK, now + 1)) | {chosen}
    return sorted(years, reverse=True)


def _group(group: GroupCompliance) -> dict[str, Any]:
    share = group.share_percent
    return {
        "headcount": group.headcount,
        "reached": group.reached,
        "below": group.below,
        "share": _number(share),
        "judged": share is not None,
        "meter": min(100, int(share // 10) * 10) if share is not None else 0,
        "ok": share is not None and group.below == 0,
    }


def _unit_rows(report: ComplianceReport, depth: int) -> list[dict[str, Any]]:
    return [
        {"id": u.unit_id, "name": u.name, "code": u.code, **_group(u.all)}
        for u in report.units
        if u.depth == depth and u.unit_id is not None
    ]


@get("/sdm", operation_id="hrCompliancePage", media_type=MediaType.HTML, guards=HR_ONLY)
async def compliance_page(
    request: PageRequest,
    compliance_service: NamedDependency[ComplianceService],
    settings: NamedDependency[Settings],
    year: YearQuery = None,
) -> Template:
    """JP compliance of the caller's unit for a year, with each unit directly below it."""
    year = year or _this_year(settings)
    report = await compliance_service.report(
        request.user, year=year, unit_id=None, below_target_limit=0
    )
    top = report.summary
    units = _unit_rows(report, 1 if top.unit_id else 0)
    return Template(
        "competencies/sdm_compliance.html",
        context={
            "year": year,
            "years": _years(settings, year),
            "summary": {"name": top.name, **_group(top.all)},
            "unit_id": top.unit_id,
            "pns": _group(top.pns),
            "pppk": _group(top.pppk),
            "targets": report.targets,
            "units": units,
        },
        media_type=MediaType.HTML,
    )


@get(
    "/sdm/unit/{unit_id:uuid}",
    operation_id="hrUnitPage",
    media_type=MediaType.HTML,
    guards=HR_ONLY,
)
async def unit_page(
    request: PageRequest,
    unit_id: FromPath[UUID],
    compliance_service: NamedDependency[ComplianceService],
    person_service: NamedDependency[PersonService],
    settings: NamedDependency[Settings],
    year: YearQuery = None,
    page: PageQuery = 1,
    q: SearchQuery = None,
) -> Template:
    """One unit (and below): its figures, the units under it, who is short of target, and a
    search of its people; every person opens their transcript."""
    year = year or _this_year(settings)
    report = await compliance_service.report(
        request.user,
        year=year,
        unit_id=unit_id,
        below_target_limit=PAGE_SIZE,
        below_target_offset=(page - 1) * PAGE_SIZE,
    )
    typed = (q or "").strip()
    found = None
    if typed:
        people = await person_service.list(
            request.user, limit=PAGE_SIZE, offset=0, q=typed, unit_id=unit_id
        )
        found = {
            "total": people.total,
            "items": [
                {
                    "id": p.id,
                    "name": p.full_name,
                    "nip": p.nip_display,
                    "asn": _ASN_LABELS.get(p.asn_type, p.asn_type),
                    "jabatan": p.jabatan,
                    "unit": p.unit_name or "",
                }
                for p in people.items
            ],
        }
    top = report.summary
    below = [
        {
            "id": b.person_id,
            "name": b.name,
            "nip": b.nip_display,
            "asn": _ASN_LABELS.get(b.asn_type, b.asn_type),
            "jabatan": b.jabatan,
            "unit": b.unit_name,
            "jp": _number(b.jp),
            "target": _number(b.target_jp),
            "short": _number(b.shortfall_jp),
        }
        for b in report.below_target
    ]
    pages = max(1, -(-report.below_target_total // PAGE_SIZE))
    return Template(
        "competencies/sdm_unit.html",
        context={
            "year": year,
            "years": _years(settings, year),
            "unit": {"id": top.unit_id, "name": top.name, "code": top.code, **_group(top.all)},
            "pns": _group(top.pns),
            "pppk": _group(top.pppk),
            "targets": report.targets,
            "units": _unit_rows(report, 1),
            "below": below,
            "below_total": report.below_target_total,
            "page": page,
            "pages": pages,
            "q": typed,
            "found": found,
        },
        media_type=MediaType.HTML,
    )


@get(
    "/sdm/pegawai/{person_id:uuid}",
    operation_id="hrTranscriptPage",
    media_type=MediaType.HTML,
    guards=HR_ONLY,
)
async def transcript_page(
    request: PageRequest,
    person_id: FromPath[UUID],
    transcript_service: NamedDependency[TranscriptService],
) -> Template:
    """A person's transcript: every approved learning event by year against the target."""
    t = await transcript_service.transcript(request.user, person_id)
    years = [
        {
            "year": y.year,
            "total": _number(y.total_jp),
            "target": _number(y.target_jp),
            "compliant": y.compliant,
            "short": _number(y.shortfall_jp),
            "above_max": y.above_max,
            "events": [
                {
                    "title": e.title,
                    "organizer": e.organizer,
                    "dates": format_date_range(e.start_date, e.end_date),
                    "jp": _number(e.jp),
                    "kind": e.jenis_diklat_name,
                    "klasikal": e.klasikal,
                    "certificate": e.certificate_number,
                }
                for e in y.events
            ],
            "competencies": y.competencies,
        }
        for y in reversed(t.years)
    ]
    ident = t.identity
    return Template(
        "competencies/sdm_transcript.html",
        context={
            "person_id": ident.person_id,
            "name": ident.name,
            "nip": ident.nip_display,
            "asn": _ASN_LABELS.get(ident.asn_type, ident.asn_type),
            "pangkat": ident.pangkat_golongan,
            "jabatan": ident.jabatan,
            "unit_id": ident.unit_id,
            "unit_name": ident.unit_name,
            "years": years,
            "total": _number(t.total_jp),
        },
        media_type=MediaType.HTML,
    )


@get(
    "/sdm/pegawai/{person_id:uuid}/transkrip.pdf",
    operation_id="hrTranscriptPdfPage",
    guards=HR_ONLY,
)
async def transcript_pdf(
    request: PageRequest,
    person_id: FromPath[UUID],
    transcript_service: NamedDependency[TranscriptService],
) -> Response[bytes]:
    """The transcript as the API's PDF (kop of the person's office, one page per year)."""
    content = await transcript_service.pdf(request.user, person_id)
    return attachment(content, PDF_MEDIA_TYPE, f"transkrip-{person_id}.pdf")


@get("/sdm/ekspor", operation_id="hrExportsPage", media_type=MediaType.HTML, guards=HR_ONLY)
async def exports_page(
    settings: NamedDependency[Settings], year: YearQuery = None, unit: UnitQuery = None
) -> Template:
    """Links to the spreadsheets HR sends on: compliance, SIASN riwayat kursus."""
    year = year or _this_year(settings)
    return Template(
        "competencies/sdm_exports.html",
        context={"year": year, "years": _years(settings, year), "unit": unit},
        media_type=MediaType.HTML,
    )


ExportName = Literal["kepatuhan-jp.xlsx", "kepatuhan-jp.csv", "siasn.csv", "siasn.xlsx"]


@get("/sdm/ekspor/{name:str}", operation_id="hrExportDownload", guards=HR_ONLY)
async def export_download(
    request: PageRequest,
    name: FromPath[ExportName],
    compliance_service: NamedDependency[ComplianceService],
    siasn_service: NamedDependency[SiasnService],
    settings: NamedDependency[Settings],
    year: YearQuery = None,
    unit: UnitQuery = None,
) -> Response[bytes]:
    """One export, built by the same service as the API's (``/api/v1/reports/...``)."""
    year = year or _this_year(settings)
    user = request.user
    if name == "kepatuhan-jp.xlsx":
        content = await compliance_service.xlsx(user, year=year, unit_id=unit)
        return attachment(content, XLSX_MEDIA_TYPE, f"kepatuhan-jp-{year}.xlsx")
    if name == "kepatuhan-jp.csv":
        content = await compliance_service.csv(user, year=year, unit_id=unit)
        return attachment(content, CSV_MEDIA_TYPE, f"kepatuhan-jp-{year}.csv")
    if name == "siasn.xlsx":
        content = await siasn_service.xlsx(user, year=year, unit_id=unit)
        return attachment(content, XLSX_MEDIA_TYPE, f"riwayat-kursus-siasn-{year}.xlsx")
    content = await siasn_service.csv(user, year=year, unit_id=unit)
    return attachment(content, CSV_MEDIA_TYPE, f"riwayat-kursus-siasn-{year}.csv")


def _impact_context(report: TrainingImpactReport) -> dict[str, Any]:
    periods = report.periods
    names = [p.period for p in periods]
    elements = [
        {
            "code": code,
            "name": next((e.name for e in periods[0].elements if e.code == code), code)
            if periods
            else code,
            "values": [
                _number(next((e.ikm for e in p.elements if e.code == code), None)) for p in periods
            ],
        }
        for code in (f"U{i}" for i in range(1, 10))
    ]
    change = report.change
    return {
        "unit_id": report.unit_id,
        "unit_name": report.unit_name,
        "definition": report.training_definition,
        "periods": [
            {
                "name": p.period,
                "dates": format_date_range(p.period_start, p.period_end)
                if p.period_start and p.period_end
                else "",
                "respondents": p.respondents,
                "ikm": _number(p.ikm),
                "category": p.category,
                "category_label": p.category_label,
                "trained": p.trained_staff,
                "staff": p.staff,
                "trained_share": _number(p.trained_share_percent),
                "sample": p.sample.message,
                "sample_ok": p.sample.sufficient,
            }
            for p in periods
        ],
        "elements": elements,
        "chart": element_bars(
            names,
            [{e.code: float(e.ikm) for e in p.elements} for p in periods],
            title=f"Nilai unsur SKM per periode, {report.unit_name}",
        )
        if periods
        else "",
        "change": {
            "from": change.from_period,
            "to": change.to_period,
            "ikm": _signed(change.ikm_change),
            "u6": _signed(change.u6_nrr_change, 3),
            "u7": _signed(change.u7_nrr_change, 3),
            "trained": change.trained_staff_change,
        }
        if change
        else None,
    }


def _signed(value: float | Decimal, places: int = 2) -> str:
    text = _number(round(Decimal(str(value)), places), places)
    return text if value < 0 else f"+{text}"


async def _skm_context(
    user: Any,
    survey_service: SurveyService,
    impact_service: ImpactService,
    unit: UUID | None,
) -> dict[str, Any]:
    surveys = await survey_service.list(user, unit_id=None, limit=200, offset=0)
    units: dict[UUID, str] = {}
    for s in surveys.items:
        units.setdefault(s.unit_id, s.unit_name)
    chosen = unit or (next(iter(units)) if units else None)
    impact = (
        _impact_context(await impact_service.report(user, chosen)) if chosen is not None else None
    )
    return {
        "survey_units": [{"id": k, "name": v} for k, v in units.items()],
        "chosen": chosen,
        "impact": impact,
    }


@get("/sdm/skm", operation_id="hrSkmPage", media_type=MediaType.HTML, guards=HR_ONLY)
async def skm_page(
    request: PageRequest,
    survey_service: NamedDependency[SurveyService],
    impact_service: NamedDependency[ImpactService],
    unit: UnitQuery = None,
) -> Template:
    """The SKM upload form and a unit's training-impact report (chart and table)."""
    context = await _skm_context(request.user, survey_service, impact_service, unit)
    return Template("competencies/sdm_skm.html", context=context, media_type=MediaType.HTML)


def _upload_summary(result: SkmUploadResult) -> dict[str, Any]:
    return {
        "accepted": result.accepted_rows,
        "periods": [
            {"name": s.period, "ikm": _number(s.ikm), "label": s.category_label}
            for s in result.surveys
        ],
        "rejected": [
            {"row": r.row_number, "message": "; ".join(r.errors)} for r in result.rejected_rows[:50]
        ],
        "rejected_total": len(result.rejected_rows),
    }


@post(
    "/sdm/skm",
    operation_id="hrSkmUploadPage",
    media_type=MediaType.HTML,
    guards=HR_ONLY,
)
async def skm_upload(
    request: PageRequest,
    survey_service: NamedDependency[SurveyService],
    impact_service: NamedDependency[ImpactService],
) -> Template:
    """Store an SKM answers file (CSV/XLSX); show what was saved and the unit's report."""
    form = await request.form()
    upload = form.get("berkas")
    error = None
    result = None
    unit = None
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise BadRequest("Pilih berkas jawaban SKM (.csv atau .xlsx).")
        saved = await survey_service.upload(
            request.user,
            unit_id=None,
            filename=upload.filename,
            content=await upload.read(),
            replace=form.get("ganti") == "ya",
        )
        result = _upload_summary(saved)
        unit = saved.unit_id
    except DomainError as exc:
        error = exc.detail
        if exc.errors:
            error += " " + "; ".join(f"{e['field']}: {e['message']}" for e in exc.errors[:5])
    context = await _skm_context(request.user, survey_service, impact_service, unit)
    return Template(
        "competencies/sdm_skm.html",
        context={**context, "result": result, "upload_error": error},
        status_code=200 if error is None else 400,
        media_type=MediaType.HTML,
    )


@get(
    "/sdm/skm/dampak.pdf",
    operation_id="hrImpactPdfPage",
    guards=HR_ONLY,
)
async def impact_pdf(
    request: PageRequest, impact_service: NamedDependency[ImpactService], unit: UnitQuery = None
) -> Response[bytes]:
    """The training-impact report as the API's PDF."""
    content = await impact_service.pdf(request.user, unit)
    return attachment(content, PDF_MEDIA_TYPE, "dampak-pelatihan.pdf")


PAGES = [
    compliance_page,
    unit_page,
    transcript_page,
    transcript_pdf,
    exports_page,
    export_download,
    skm_page,
    skm_upload,
    impact_pdf,
]
