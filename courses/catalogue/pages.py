"""An organizer's course pages: the unit's courses, a new course and editing one (modules with
their JP, pass mark, minimum attendance, the weights of the final score).

They call ``CourseService`` (list, get, create, update) as the API does. Without JavaScript the
form offers the course's modules plus a few empty rows; an empty row is ignored, and a course
that needs more modules gets them on the next save.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath
from litestar.response import Redirect, Template

from courses.catalogue.schemas import COMPONENTS, CourseCreate, CourseRead, CourseUpdate
from courses.catalogue.services import CourseService
from lms.competencies.schemas import JENIS_DIKLAT
from lms.shared.errors import DomainError
from lms.web.form_input import GENERAL, domain_errors, form_values, to_struct
from lms.web.shell import page_guard

PageRequest = Request[Any, Any, Any]
COMPONENT_LABELS = {
    "attendance": "Kehadiran",
    "post_test": "Post-test",
    "trainer_assessment": "Penilaian narasumber",
    "assignment": "Tugas",
    "project": "Proyek",
}
#: Empty module rows the form offers beyond the course's own.
SPARE_MODULE_ROWS = 3
_PLAIN = ("code", "title", "description", "training_type", "jenis_diklat")
_NUMBERS = ("pass_mark", "min_attendance", "validity_months")


def _values_of(course: CourseRead) -> dict[str, Any]:
    values: dict[str, Any] = {f: str(getattr(course, f)) for f in _PLAIN}
    values.update(
        pass_mark=str(course.pass_mark),
        min_attendance=str(course.min_attendance),
        validity_months=str(course.validity_months or ""),
        active=course.active,
    )
    for name in COMPONENTS:
        weight = course.weights.get(name)
        values[f"w_{name}"] = str(weight) if weight is not None else ""
    values["modules"] = [
        {"id": str(m.id), "title": m.title, "jp": str(m.jp)} for m in course.modules
    ]
    return values


def _blank() -> dict[str, Any]:
    values: dict[str, Any] = {f: "" for f in (*_PLAIN, *_NUMBERS)}
    values.update(
        training_type="klasikal",
        jenis_diklat="3",
        pass_mark="70.01",
        min_attendance="80",
        w_attendance="10",
        w_post_test="60",
        w_trainer_assessment="30",
        active=True,
        modules=[],
    )
    return values


def _read_form(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The typed values (to show again) and the body for the service."""
    values: dict[str, Any] = {f: form.get(f, "") for f in (*_PLAIN, *_NUMBERS)}
    values["active"] = "active" in form
    modules: list[dict[str, str]] = []
    index = 0
    while f"m{index}_title" in form or f"m{index}_jp" in form:
        row = {
            "id": form.get(f"m{index}_id", ""),
            "title": form.get(f"m{index}_title", ""),
            "jp": form.get(f"m{index}_jp", ""),
        }
        if row["title"] or row["jp"]:
            modules.append(row)
        index += 1
    values["modules"] = modules
    weights: dict[str, str] = {}
    for name in COMPONENTS:
        values[f"w_{name}"] = form.get(f"w_{name}", "")
        if values[f"w_{name}"] not in ("", "0"):
            weights[name] = values[f"w_{name}"]
    body: dict[str, Any] = {f: values[f] for f in (*_PLAIN, *_NUMBERS)}
    body["modules"] = [{k: v for k, v in m.items() if v} for m in modules]
    body["weights"] = weights
    body["active"] = values["active"]
    return values, body


def _form(
    values: dict[str, Any],
    errors: dict[str, str],
    course: CourseRead | None = None,
) -> Template:
    rows = list(values.get("modules", []))
    rows += [{"id": "", "title": "", "jp": ""} for _ in range(SPARE_MODULE_ROWS)]
    return Template(
        "catalogue/course_form.html",
        context={
            "course": course,
            "values": values,
            "rows": rows,
            "errors": errors,
            "general": GENERAL,
            "components": [(c, COMPONENT_LABELS.get(c, c)) for c in COMPONENTS],
            "jenis": sorted(JENIS_DIKLAT.items()),
        },
        media_type=MediaType.HTML,
        status_code=422 if errors else 200,
    )


@get(
    "/kelola/kursus",
    operation_id="organizerCoursesPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def courses_page(
    request: PageRequest, course_service: NamedDependency[CourseService]
) -> Template:
    """The courses of the organizer's unit and below, by code."""
    page = await course_service.list(request.user, limit=200, offset=0)
    return Template(
        "catalogue/courses.html",
        context={"courses": page.items, "total": page.total},
        media_type=MediaType.HTML,
    )


@get(
    "/kelola/kursus/baru",
    operation_id="organizerCourseNewPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def new_course(request: PageRequest) -> Template:
    """An empty course form with the usual rules filled in (70.01, 80%, 10/60/30)."""
    return _form(_blank(), {})


def _course_errors(errors: dict[str, str]) -> dict[str, str]:
    """``weights.x`` and ``modules[2].jp`` are shown at their group."""
    shown: dict[str, str] = {}
    for field, message in errors.items():
        key = field.split("[")[0].split(".")[0]
        shown.setdefault(key, message)
    return shown


@post(
    "/kelola/kursus/baru",
    operation_id="organizerCourseCreatePage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def create_course(
    request: PageRequest, course_service: NamedDependency[CourseService]
) -> Redirect | Template:
    """Create the course and go to its page."""
    values, body = _read_form(await form_values(request))
    data, errors = to_struct(body, CourseCreate)
    if data is not None:
        try:
            created = await course_service.create(request.user, data)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return Redirect(f"/kelola/kursus/{created.id}?pesan=dibuat", status_code=303)
    return _form(values, _course_errors(errors))


@get(
    "/kelola/kursus/{course_id:uuid}",
    operation_id="organizerCourseEditPage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def edit_course(
    request: PageRequest,
    course_id: FromPath[UUID],
    course_service: NamedDependency[CourseService],
) -> Template:
    """The course's form with its modules and rules."""
    course = await course_service.get(request.user, course_id)
    return _form(_values_of(course), {}, course)


@post(
    "/kelola/kursus/{course_id:uuid}",
    operation_id="organizerCourseUpdatePage",
    media_type=MediaType.HTML,
    guards=[page_guard("organizer")],
)
async def update_course(
    request: PageRequest,
    course_id: FromPath[UUID],
    course_service: NamedDependency[CourseService],
) -> Redirect | Template:
    """Save the edit (a rules change after finalized results makes a new version)."""
    course = await course_service.get(request.user, course_id)
    values, body = _read_form(await form_values(request))
    if body.get("validity_months") == "":
        body["validity_months"] = None
    data, errors = to_struct(body, CourseUpdate)
    if data is not None:
        if body.get("description") == "":
            # An emptied description is a change too (to_struct leaves empty fields out, and
            # the API's PATCH sets "" when sent).
            data = msgspec.structs.replace(data, description="")
        try:
            await course_service.update(request.user, course_id, data)
        except DomainError as exc:
            errors = domain_errors(exc)
        else:
            return Redirect(f"/kelola/kursus/{course_id}?pesan=disimpan", status_code=303)
    return _form(values, _course_errors(errors), course)


PAGES = [courses_page, new_course, create_course, edit_course, update_course]
