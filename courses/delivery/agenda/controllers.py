"""A session's agenda (``/api/v1/sessions/{id}/agenda``) and a trainer's own agenda
(``/api/v1/trainers/me/agenda``): thin handlers over ``AgendaService``, which applies the scope
checks."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from courses.delivery.agenda.schemas import (
    AgendaItemCreate,
    AgendaItemRead,
    AgendaItemUpdate,
    AgendaRead,
    MyAgendaItem,
)
from courses.delivery.agenda.service import AgendaService
from lms.auth.caller import CallerRequest
from lms.auth.guards import ANY_ROLE, allow
from lms.shared.openapi import problem_responses
from lms.shared.openapi_statuses import LIST, READ, WRITE
from lms.shared.params import LimitQuery, OffsetQuery
from lms.shared.schemas import Page


class AgendaController(Controller):
    """A session's agenda."""

    path = "/api/v1/sessions"
    tags = ["sessions"]

    @get(
        "/{session_id:uuid}/agenda",
        operation_id="getAgenda",
        responses=problem_responses(*READ),
        guards=[allow(*ANY_ROLE)],
    )
    async def get_agenda(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        agenda_service: NamedDependency[AgendaService],
    ) -> AgendaRead:
        """The agenda, with the JP it delivers against the course's JP."""
        return await agenda_service.get(request.user, session_id)

    @post(
        "/{session_id:uuid}/agenda",
        operation_id="createAgendaItem",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer")],
    )
    async def create_agenda_item(
        self,
        session_id: FromPath[UUID],
        data: JSONBody[AgendaItemCreate],
        request: CallerRequest,
        agenda_service: NamedDependency[AgendaService],
    ) -> AgendaItemRead:
        """Add an agenda item; a clash (trainer, room, outside the dates) is a 409."""
        return await agenda_service.create(request.user, session_id, data)

    @patch(
        "/{session_id:uuid}/agenda/{item_id:uuid}",
        operation_id="updateAgendaItem",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer")],
    )
    async def update_agenda_item(
        self,
        session_id: FromPath[UUID],
        item_id: FromPath[UUID],
        data: JSONBody[AgendaItemUpdate],
        request: CallerRequest,
        agenda_service: NamedDependency[AgendaService],
    ) -> AgendaItemRead:
        """Move or change an agenda item."""
        return await agenda_service.update(request.user, session_id, item_id, data)

    @delete(
        "/{session_id:uuid}/agenda/{item_id:uuid}",
        operation_id="deleteAgendaItem",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer")],
    )
    async def delete_agenda_item(
        self,
        session_id: FromPath[UUID],
        item_id: FromPath[UUID],
        request: CallerRequest,
        agenda_service: NamedDependency[AgendaService],
    ) -> None:
        """Remove an agenda item."""
        await agenda_service.delete(request.user, session_id, item_id)


class TrainerAgendaController(Controller):
    """A trainer's own agenda across sessions."""

    path = "/api/v1/trainers"
    tags = ["trainers"]

    @get(
        "/me/agenda",
        operation_id="getMyAgenda",
        responses=problem_responses(*LIST),
        guards=[allow("trainer")],
    )
    async def my_agenda(
        self,
        request: CallerRequest,
        agenda_service: NamedDependency[AgendaService],
        date_from: FromQuery[dt.date | None] = None,
        date_to: FromQuery[dt.date | None] = None,
        limit: LimitQuery = 200,
        offset: OffsetQuery = 0,
    ) -> Page[MyAgendaItem]:
        """The calling trainer's agenda across sessions, earliest first."""
        return await agenda_service.mine(
            request.user, date_from=date_from, date_to=date_to, limit=limit, offset=offset
        )
