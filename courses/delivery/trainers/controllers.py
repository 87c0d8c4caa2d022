"""``/api/v1/trainers``: thin handlers over ``TrainerService``, which applies the scope checks."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from courses.delivery.trainers.schemas import TrainerCreate, TrainerRead, TrainerUpdate
from courses.delivery.trainers.service import TrainerService
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.shared.openapi import problem_responses
from lms.shared.openapi_statuses import LIST, READ, WRITE
from lms.shared.params import LimitQuery, OffsetQuery, SearchQuery
from lms.shared.schemas import Page


class TrainerController(Controller):
    """Trainers (narasumber)."""

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
