"""``/api/v1/units`` and ``/api/v1/people``: thin controllers over the people services.

Status codes: a body that does not fit its schema (unknown field, wrong type, too long, bad
enumeration) is **400** with every bad field in ``errors``. A well-formed body that breaks a
domain rule is **422** with ``errors: [{"field", "message"}]``: a NIP that its ASN type does
not allow (``nip``: a PNS NIP with TMT month 13), a golongan of the other type (``golongan``),
an unreadable phone number (``phone``), a unit the caller may not use (``unit_id``,
``parent_id``), a unit moved below itself (``parent_id``). A NIP or unit code already taken is
**409**. What the caller may not see is **404**, what their role may not do **403**.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from litestar import Controller, Response, get, patch, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody

from lms.auth.caller import CallerRequest
from lms.auth.guards import STAFF, allow
from lms.jobs.schemas import JobAccepted
from lms.people.schemas import (
    AsnType,
    ImportReport,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    UnitCreate,
    UnitKind,
    UnitRead,
    UnitUpdate,
)
from lms.people.services import PersonService
from lms.people.units import UnitService
from lms.shared.openapi import problem_responses
from lms.shared.params import LimitQuery, OffsetQuery, SearchQuery
from lms.shared.schemas import Page

_EDITORS = allow(*STAFF)
"""Who writes people and units: organizers in their scope (and admins). HR reads them only
(DESIGN.md roles): an HR account that could move a unit handed one office's sessions to
another office's organizer."""


@dataclass
class PeopleImportForm:
    """The multipart form of an import: the file and, optionally, where new units go."""

    file: UploadFile
    parent_unit_id: UUID | None = None


class UnitController(Controller):
    """The unit tree; everyone reads the units they see, organizers edit below their own unit."""

    path = "/api/v1/units"
    tags = ["units"]

    @get("/", operation_id="listUnits", responses=problem_responses(400, 401, 404))
    async def list_units(
        self,
        request: CallerRequest,
        unit_service: NamedDependency[UnitService],
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
        q: SearchQuery = None,
        parent_id: FromQuery[UUID | None] = None,
        kind: FromQuery[UnitKind | None] = None,
    ) -> Page[UnitRead]:
        """Units the caller sees, by name; filter by name or code fragment, parent or kind."""
        return await unit_service.list(
            request.user, limit=limit, offset=offset, q=q, parent_id=parent_id, kind=kind
        )

    @post(
        "/",
        operation_id="createUnit",
        guards=[_EDITORS],
        responses=problem_responses(400, 401, 403, 409, 422),
    )
    async def create_unit(
        self,
        data: JSONBody[UnitCreate],
        request: CallerRequest,
        unit_service: NamedDependency[UnitService],
    ) -> UnitRead:
        """Create a unit under a parent in the caller's scope (admins: anywhere)."""
        return await unit_service.create(request.user, data)

    @get("/{unit_id:uuid}", operation_id="getUnit", responses=problem_responses(400, 401, 404))
    async def get_unit(
        self,
        unit_id: FromPath[UUID],
        request: CallerRequest,
        unit_service: NamedDependency[UnitService],
    ) -> UnitRead:
        """One unit (404 outside the caller's scope)."""
        return await unit_service.get(request.user, unit_id)

    @patch(
        "/{unit_id:uuid}",
        operation_id="updateUnit",
        guards=[_EDITORS],
        responses=problem_responses(400, 401, 403, 404, 409, 422),
    )
    async def update_unit(
        self,
        unit_id: FromPath[UUID],
        data: JSONBody[UnitUpdate],
        request: CallerRequest,
        unit_service: NamedDependency[UnitService],
    ) -> UnitRead:
        """Change a unit; a new parent moves its whole subtree (422 when it would loop)."""
        return await unit_service.update(request.user, unit_id, data)


class PersonController(Controller):
    """People: organizers manage their scope, HR reads it, participants and trainers see
    themselves."""

    path = "/api/v1/people"
    tags = ["people"]

    @get("/", operation_id="listPeople", responses=problem_responses(400, 401, 404))
    async def list_people(
        self,
        request: CallerRequest,
        person_service: NamedDependency[PersonService],
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
        q: SearchQuery = None,
        unit_id: FromQuery[UUID | None] = None,
        include_subunits: FromQuery[bool] = True,
        asn_type: FromQuery[AsnType | None] = None,
        golongan: FromQuery[str | None] = None,
    ) -> Page[PersonRead]:
        """People the caller sees, by name; ``q`` searches the name or (digits) the NIP."""
        return await person_service.list(
            request.user,
            limit=limit,
            offset=offset,
            q=q,
            unit_id=unit_id,
            include_subunits=include_subunits,
            asn_type=asn_type,
            golongan=golongan,
        )

    @post(
        "/",
        operation_id="createPerson",
        guards=[_EDITORS],
        responses=problem_responses(400, 401, 403, 409, 422),
    )
    async def create_person(
        self,
        data: JSONBody[PersonCreate],
        request: CallerRequest,
        person_service: NamedDependency[PersonService],
    ) -> PersonRead:
        """Create a person (422 when the NIP does not fit the ASN type, 409 when taken)."""
        return await person_service.create(request.user, data)

    @get("/{person_id:uuid}", operation_id="getPerson", responses=problem_responses(400, 401, 404))
    async def get_person(
        self,
        person_id: FromPath[UUID],
        request: CallerRequest,
        person_service: NamedDependency[PersonService],
    ) -> PersonRead:
        """One person (404 outside the caller's scope)."""
        return await person_service.get(request.user, person_id)

    @patch(
        "/{person_id:uuid}",
        operation_id="updatePerson",
        guards=[_EDITORS],
        responses=problem_responses(400, 401, 403, 404, 409, 422),
    )
    async def update_person(
        self,
        person_id: FromPath[UUID],
        data: JSONBody[PersonUpdate],
        request: CallerRequest,
        person_service: NamedDependency[PersonService],
    ) -> PersonRead:
        """Change a person; every changed field is written to the audit log."""
        return await person_service.update(request.user, person_id, data)

    @post(
        "/import",
        operation_id="importPeople",
        status_code=200,
        guards=[_EDITORS],
        responses=problem_responses(400, 401, 403, 409, 413, 422),
    )
    async def import_people(
        self,
        data: MultipartBody[PeopleImportForm],
        request: CallerRequest,
        person_service: NamedDependency[PersonService],
    ) -> Response[ImportReport | JobAccepted]:
        """Import a participant file (.csv or .xlsx): upsert by NIP, report per row.

        Units are matched by code or name within the caller's scope; unknown ones are created
        under ``parent_unit_id`` (default: the caller's unit) and listed in the report. A file
        of more than 1,000 rows is imported by a job: 202 with ``{"job_id", "url"}``, the
        report is the job's ``result``.
        """
        content = await data.file.read()
        outcome = await person_service.import_file(
            request.user, content, data.file.filename or "", data.parent_unit_id
        )
        return Response(outcome, status_code=202 if isinstance(outcome, JobAccepted) else 200)
