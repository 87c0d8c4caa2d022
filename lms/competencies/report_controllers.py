"""Reports (JP compliance, SIASN export, training impact) and SKM survey uploads.

HR, organizers and admins read the reports of their unit and below (``unit_id`` defaults to
the caller's unit; another unit outside the scope is a 404). The SIASN export is HR's.

A report with a file format is annotated with its JSON Struct and returns a ``Response`` for
the file (documented by :func:`lms.shared.openapi.with_file_alternative`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.competencies.compliance import ComplianceService
from lms.competencies.controllers import OffsetQuery
from lms.competencies.impact import ImpactService
from lms.competencies.pdf import PDF_MEDIA_TYPE
from lms.competencies.report_schemas import (
    ComplianceReport,
    SiasnExport,
    SkmPopulation,
    SkmPopulationWrite,
    SkmSurveyCreate,
    SkmSurveyRead,
    SkmUploadResult,
    TrainingImpactReport,
)
from lms.competencies.siasn import SiasnService
from lms.competencies.surveys import SurveyService
from lms.shared.errors import BadRequest
from lms.shared.input_guard import decode_body
from lms.shared.openapi import problem_responses, with_file_alternative
from lms.shared.params import LimitQuery
from lms.shared.responses import attachment
from lms.shared.schemas import Page
from lms.shared.tabular import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE

REPORTERS = allow("hr", "organizer")
Year = Annotated[
    int | None, QueryParameter(ge=1990, le=2100, description="Tahun; default tahun berjalan")
]
UnitFilter = Annotated[
    UUID | None, QueryParameter(description="Unit (dan unit di bawahnya); default unit Anda")
]


def _this_year() -> int:
    return dt.datetime.now(dt.UTC).year


class ReportController(Controller):
    """``/api/v1/reports``: compliance, SIASN export and training impact."""

    path = "/api/v1/reports"
    tags = ["reports"]

    @get(
        "/jp-compliance",
        operation_id="jpCompliance",
        guards=[REPORTERS],
        operation_class=with_file_alternative(XLSX_MEDIA_TYPE, CSV_MEDIA_TYPE),
        responses=problem_responses(400, 401, 403, 404),
    )
    async def jp_compliance(
        self,
        request: CallerRequest,
        compliance_service: NamedDependency[ComplianceService],
        year: Year = None,
        unit_id: UnitFilter = None,
        output: Annotated[
            Literal["json", "xlsx", "csv"],
            QueryParameter(name="format", description="json, xlsx atau csv (ringkasan per unit)"),
        ] = "json",
        below_target_limit: Annotated[int, QueryParameter(ge=0, le=1000)] = 100,
        below_target_offset: Annotated[int, QueryParameter(ge=0, le=1_000_000_000)] = 0,
    ) -> ComplianceReport:
        """20-JP compliance per unit (sub-units rolled up): headcounts of PNS and PPPK, how
        many reached the target, the share, and the people below target (paginated)."""
        year = year or _this_year()
        if output == "xlsx":
            content = await compliance_service.xlsx(request.user, year=year, unit_id=unit_id)
            return attachment(content, XLSX_MEDIA_TYPE, f"kepatuhan-jp-{year}.xlsx")  # type: ignore[return-value]
        if output == "csv":
            content = await compliance_service.csv(request.user, year=year, unit_id=unit_id)
            return attachment(content, CSV_MEDIA_TYPE, f"kepatuhan-jp-{year}.csv")  # type: ignore[return-value]
        return await compliance_service.report(
            request.user,
            year=year,
            unit_id=unit_id,
            below_target_limit=below_target_limit,
            below_target_offset=below_target_offset,
        )

    @get(
        "/siasn-export",
        operation_id="siasnExport",
        guards=[allow("hr")],
        operation_class=with_file_alternative(CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE),
        responses=problem_responses(400, 401, 403, 404),
    )
    async def siasn_export(
        self,
        request: CallerRequest,
        siasn_service: NamedDependency[SiasnService],
        year: Year = None,
        unit_id: UnitFilter = None,
        output: Annotated[
            Literal["csv", "json", "xlsx"],
            QueryParameter(name="format", description="csv, json atau xlsx"),
        ] = "csv",
    ) -> SiasnExport:
        """Approved ledger entries with a certificate as SIASN "riwayat kursus" rows."""
        year = year or _this_year()
        if output == "csv":
            content = await siasn_service.csv(request.user, year=year, unit_id=unit_id)
            return attachment(content, CSV_MEDIA_TYPE, f"riwayat-kursus-siasn-{year}.csv")  # type: ignore[return-value]
        if output == "xlsx":
            content = await siasn_service.xlsx(request.user, year=year, unit_id=unit_id)
            return attachment(content, XLSX_MEDIA_TYPE, f"riwayat-kursus-siasn-{year}.xlsx")  # type: ignore[return-value]
        return await siasn_service.export(request.user, year=year, unit_id=unit_id)

    @get(
        "/training-impact",
        operation_id="trainingImpact",
        guards=[REPORTERS],
        operation_class=with_file_alternative(PDF_MEDIA_TYPE),
        responses=problem_responses(400, 401, 403, 404),
    )
    async def training_impact(
        self,
        request: CallerRequest,
        impact_service: NamedDependency[ImpactService],
        unit_id: UnitFilter = None,
        output: Annotated[
            Literal["json", "pdf"], QueryParameter(name="format", description="json atau pdf")
        ] = "json",
    ) -> TrainingImpactReport:
        """SKM per period (IKM, category, U6 and U7) beside the staff trained in service
        excellence by the end of each period; as PDF with a bar chart per element."""
        if output == "pdf":
            content = await impact_service.pdf(request.user, unit_id)
            return attachment(content, PDF_MEDIA_TYPE, "dampak-pelatihan.pdf")  # type: ignore[return-value]
        return await impact_service.report(request.user, unit_id)


def _form_flag(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "ya", "on"}


class SkmController(Controller):
    """``/api/v1/skm/surveys``: a unit's satisfaction-survey answers and their index."""

    path = "/api/v1/skm/surveys"
    tags = ["skm"]
    guards = [REPORTERS]

    @post(
        "/",
        operation_id="createSkmSurvey",
        status_code=201,
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
    )
    async def create_survey(
        self,
        request: CallerRequest,
        survey_service: NamedDependency[SurveyService],
    ) -> SkmUploadResult:
        """Store SKM answers and compute NRR per element, IKM and category per period.

        Either ``multipart/form-data`` with ``file`` (.csv or .xlsx: ``respondent, unit_code,
        period, service, date, U1..U9``), optional ``unit_id`` (else the file's unit code) and
        ``replace``; or JSON ``{"unit_id", "period", "responses": [{"answers": [9 x 1-4]}]}``.
        Rows with answers outside 1–4 are rejected and listed with their row numbers; the
        other rows are saved. An existing period is a 409 unless ``replace`` is true.
        """
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise BadRequest("Unggah berkas survei pada field 'file'")
            unit_text = form.get("unit_id")
            try:
                unit_id = UUID(unit_text) if isinstance(unit_text, str) and unit_text else None
            except ValueError as exc:
                raise BadRequest(
                    "unit_id tidak valid", errors=[{"field": "unit_id", "message": "bukan UUID"}]
                ) from exc
            return await survey_service.upload(
                request.user,
                unit_id=unit_id,
                filename=upload.filename or "",
                content=await upload.read(),
                replace=_form_flag(form.get("replace")),
            )
        data = await decode_body(request, SkmSurveyCreate)
        return await survey_service.create(request.user, data)

    @get("/", operation_id="listSkmSurveys", responses=problem_responses(400, 401, 403, 404))
    async def list_surveys(
        self,
        request: CallerRequest,
        survey_service: NamedDependency[SurveyService],
        unit_id: FromQuery[UUID | None] = None,
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
    ) -> Page[SkmSurveyRead]:
        """Surveys of the unit and its sub-units, by unit and period."""
        return await survey_service.list(request.user, unit_id=unit_id, limit=limit, offset=offset)


class SkmPopulationController(Controller):
    """``/api/v1/skm/units/{unit_id}/population``: how many people a unit serves per survey
    period, the population an SKM sample must cover (PermenPANRB 14/2017)."""

    path = "/api/v1/skm/units/{unit_id:uuid}/population"
    tags = ["skm"]
    guards = [REPORTERS]

    @get("/", operation_id="getSkmPopulation", responses=problem_responses(401, 403, 404))
    async def get_population(
        self,
        request: CallerRequest,
        unit_id: FromPath[UUID],
        survey_service: NamedDependency[SurveyService],
    ) -> SkmPopulation:
        """The unit's SKM population (``null`` while not set)."""
        return await survey_service.population(request.user, unit_id)

    @put("/", operation_id="setSkmPopulation", responses=problem_responses(400, 401, 403, 404))
    async def set_population(
        self,
        request: CallerRequest,
        unit_id: FromPath[UUID],
        data: JSONBody[SkmPopulationWrite],
        survey_service: NamedDependency[SurveyService],
    ) -> SkmPopulation:
        """Set the unit's SKM population; every survey of the unit is judged against it."""
        return await survey_service.set_population(request.user, unit_id, data.population)
