"""``/api/v1/trainers`` and ``/api/v1/sessions`` (with the agenda): thin handlers over the
delivery services, which apply the scope checks."""

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
from courses.delivery.sessions.schemas import (
    SessionCreate,
    SessionRead,
    SessionStatus,
    SessionUpdate,
)
from courses.delivery.sessions.service import SessionService
from courses.delivery.trainers.schemas import TrainerCreate, TrainerRead, TrainerUpdate
from courses.delivery.trainers.service import TrainerService
from lms.auth.caller import CallerRequest
from lms.auth.guards import ANY_ROLE, allow
from lms.shared.openapi import problem_responses
from lms.shared.openapi_statuses import LIST, READ, WRITE
from lms.shared.params import LimitQuery, OffsetQuery, SearchQuery
from lms.shared.schemas import Page


class TrainerController(Controller):
    """Trainers (narasumber) and a trainer's own agenda."""

    path = "/api/v1/trainers"
    tags = ["trainers"]

    @get(
        "/",
        operation_id="listTrainers",
        responses=problem_responses(*LIST),
        guards=[allow("organizer", "hr")],
    )
    async def list_trainers(
        self,
        request: CallerRequest,
        trainer_service: NamedDependency[TrainerService],
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
        q: SearchQuery = None,
    ) -> Page[TrainerRead]:
        """Trainers of the caller's units (and shared ones), filtered by name or expertise."""
        return await trainer_service.list(request.user, limit=limit, offset=offset, q=q)

    @post(
        "/",
        operation_id="createTrainer",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer")],
    )
    async def create_trainer(
        self,
        data: JSONBody[TrainerCreate],
        request: CallerRequest,
        trainer_service: NamedDependency[TrainerService],
    ) -> TrainerRead:
        """Register a trainer: a person from the register or an outsider."""
        return await trainer_service.create(request.user, data)

    @get(
        "/{trainer_id:uuid}",
        operation_id="getTrainer",
        responses=problem_responses(*READ),
        guards=[allow("organizer", "hr")],
    )
    async def get_trainer(
        self,
        trainer_id: FromPath[UUID],
        request: CallerRequest,
        trainer_service: NamedDependency[TrainerService],
    ) -> TrainerRead:
        """One trainer."""
        return await trainer_service.get(request.user, trainer_id)

    @patch(
        "/{trainer_id:uuid}",
        operation_id="updateTrainer",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer")],
    )
    async def update_trainer(
        self,
        trainer_id: FromPath[UUID],
        data: JSONBody[TrainerUpdate],
        request: CallerRequest,
        trainer_service: NamedDependency[TrainerService],
    ) -> TrainerRead:
        """Edit a trainer or link their login."""
        return await trainer_service.update(request.user, trainer_id, data)

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


class SessionController(Controller):
    """Sessions (angkatan), their status and their agenda."""

    path = "/api/v1/sessions"
    tags = ["sessions"]

    @get(
        "/",
        operation_id="listSessions",
        responses=problem_responses(*LIST),
        guards=[allow(*ANY_ROLE)],
    )
    async def list_sessions(
        self,
        request: CallerRequest,
        session_service: NamedDependency[SessionService],
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
        status: FromQuery[SessionStatus | None] = None,
        course_id: FromQuery[UUID | None] = None,
        mine: FromQuery[bool] = False,
        q: SearchQuery = None,
    ) -> Page[SessionRead]:
        """Sessions the caller may see; ``mine=true`` for a trainer's or participant's own."""
        return await session_service.list(
            request.user,
            limit=limit,
            offset=offset,
            status=status,
            course_id=course_id,
            mine=mine,
            q=q,
        )

    @post(
        "/",
        operation_id="createSession",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer")],
    )
    async def create_session(
        self,
        data: JSONBody[SessionCreate],
        request: CallerRequest,
        session_service: NamedDependency[SessionService],
    ) -> SessionRead:
        """Schedule a session of a course (it starts as a draft)."""
        return await session_service.create(request.user, data)

    @get(
        "/{session_id:uuid}",
        operation_id="getSession",
        responses=problem_responses(*READ),
        guards=[allow(*ANY_ROLE)],
    )
    async def get_session(
        self,
        session_id: FromPath[UUID],
        request: CallerRequest,
        session_service: NamedDependency[SessionService],
    ) -> SessionRead:
        """One session."""
        return await session_service.get(request.user, session_id)

    @patch(
        "/{session_id:uuid}",
        operation_id="updateSession",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer")],
    )
    async def update_session(
        self,
        session_id: FromPath[UUID],
        data: JSONBody[SessionUpdate],
        request: CallerRequest,
        session_service: NamedDependency[SessionService],
    ) -> SessionRead:
        """Edit a session or move its status (draft → open → running → completed)."""
        return await session_service.update(request.user, session_id, data)

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
