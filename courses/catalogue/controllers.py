"""``/api/v1/courses``: the catalogue, for organizers (and HR, read-only) of a unit."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from courses.catalogue.schemas import CourseCreate, CourseRead, CourseUpdate
from courses.catalogue.services import CourseService
from lms.auth.caller import CallerRequest
from lms.auth.guards import allow
from lms.shared.openapi import problem_responses
from lms.shared.openapi_statuses import LIST, READ, WRITE
from lms.shared.params import LimitQuery, OffsetQuery, SearchQuery
from lms.shared.schemas import Page


class CourseController(Controller):
    """Courses with modules, JP, pass rules, weights and predikat bands."""

    path = "/api/v1/courses"
    tags = ["courses"]

    @get(
        "/",
        operation_id="listCourses",
        responses=problem_responses(*LIST),
        guards=[allow("organizer", "hr")],
    )
    async def list_courses(
        self,
        request: CallerRequest,
        course_service: NamedDependency[CourseService],
        limit: LimitQuery = 50,
        offset: OffsetQuery = 0,
        q: SearchQuery = None,
        active: FromQuery[bool | None] = None,
    ) -> Page[CourseRead]:
        """Courses of the caller's unit and below, by code; filter by text or active flag."""
        return await course_service.list(
            request.user, limit=limit, offset=offset, q=q, active=active
        )

    @post(
        "/",
        operation_id="createCourse",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer")],
    )
    async def create_course(
        self,
        data: JSONBody[CourseCreate],
        request: CallerRequest,
        course_service: NamedDependency[CourseService],
    ) -> CourseRead:
        """Create a course; weights must sum to 100 and use known components."""
        return await course_service.create(request.user, data)

    @get(
        "/{course_id:uuid}",
        operation_id="getCourse",
        responses=problem_responses(*READ),
        guards=[allow("organizer", "hr")],
    )
    async def get_course(
        self,
        course_id: FromPath[UUID],
        request: CallerRequest,
        course_service: NamedDependency[CourseService],
    ) -> CourseRead:
        """One course with its modules and rules."""
        return await course_service.get(request.user, course_id)

    @patch(
        "/{course_id:uuid}",
        operation_id="updateCourse",
        responses=problem_responses(*WRITE),
        guards=[allow("organizer")],
    )
    async def update_course(
        self,
        course_id: FromPath[UUID],
        data: JSONBody[CourseUpdate],
        request: CallerRequest,
        course_service: NamedDependency[CourseService],
    ) -> CourseRead:
        """Edit a course; editing rules after finalized results creates a new version."""
        return await course_service.update(request.user, course_id, data)
