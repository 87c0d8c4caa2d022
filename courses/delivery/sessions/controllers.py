"""``/api/v1/sessions``: thin handlers over ``SessionService``, which applies the scope checks."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from courses.delivery.sessions.schemas import (
    SessionCreate,
    SessionRead,
    SessionStatus,
    SessionUpdate,
)
from courses.delivery.sessions.service import SessionService
from lms.auth.caller import CallerRequest
from lms.auth.guards import ANY_ROLE, allow
from lms.shared.openapi import problem_responses
from lms.shared.openapi_statuses import LIST, READ, WRITE
from lms.shared.params import LimitQuery, OffsetQuery, SearchQuery
from lms.shared.schemas import Page


class SessionController(Controller):
    """Sessions (angkatan) and their status."""

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
