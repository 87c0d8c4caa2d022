"""The composition root: ``create_app`` wires settings, database, auth, errors and every app's
routes. It is one of only two modules in ``lms`` that may import ``courses`` and
``certificates`` (the other is ``lms.cli``)."""

from __future__ import annotations

import gc
import logging
from os import PathLike
from pathlib import Path
from typing import Any

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.exceptions import ValidationException
from litestar.logging.config import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from piccolo.engine.base import Engine

from lms.auth.routes import build_router as build_auth_router
from lms.auth.tokens import PUBLIC_PATHS, make_jwt_auth
from lms.config import Settings, get_settings
from lms.db import make_engine, start_engine, stop_engine
from lms.health.controllers import HealthController
from lms.observability.logs import quiet_noisy_loggers
from lms.observability.metrics import add_scrape_source, metrics, prometheus_config
from lms.observability.request_id import request_id_middleware
from lms.observability.tracing import flush as flush_traces
from lms.observability.tracing import tracing_plugins
from lms.shared.input_guard import PrimaRequest, RefuseNulMiddleware
from lms.shared.openapi import decimals_as_strings, document_problems
from lms.shared.problems import problem_details_plugin, validation_problem_handler
from lms.shared.ratelimit import RedisCounters, make_counters
from lms.shared.values import ZonedTime, rfc3339
from lms.web.assets import asset_url, inline_style

logger = logging.getLogger("lms")

# Swagger UI 5 (it reads OpenAPI 3.1), vendored from npm's swagger-ui-dist (see the README
# there) so the docs page loads nothing from outside the server. The version is in the URL, so
# browsers may keep the files for a year: an upgrade changes the URL.
SWAGGER_UI_VERSION = "5.36.0"
_SWAGGER_DIR = Path(__file__).parent / "static" / "swagger-ui"
_SWAGGER_URL = f"/static/swagger-ui/{SWAGGER_UI_VERSION}"


def all_tables() -> list[Any]:
    """Every Piccolo table of the three apps, for binding them to the app's engine."""
    from piccolo.conf.apps import Finder

    return Finder().get_table_classes()


def bind_engine(engine: Engine) -> None:
    """Point every table at ``engine`` so the app's settings, not import-time state, decide
    which database is used."""
    for table in all_tables():
        table._meta.db = engine
    # Piccolo's own commands (migrations) find the engine through piccolo_conf: give them the
    # same one, so a process never has two writers on one SQLite file.
    import piccolo_conf

    piccolo_conf.DB = engine


def _feature_routers(settings: Settings) -> list[Router]:
    """Routers of every feature, lms core first, then courses and certificates; the pages'
    home panels and account scopes come from all three."""
    from certificates.routes import build_routers as certificate_routers
    from certificates.routes import home_panels as certificate_panels
    from certificates.routes import letterhead_source
    from courses.routes import PERSON_SCOPES
    from courses.routes import build_routers as course_routers
    from courses.routes import home_panels as course_panels
    from lms.competencies.pages import jp_panel
    from lms.routes import build_routers as lms_routers
    from lms.web.routes import build_routers as web_routers

    return [
        build_auth_router(settings, PERSON_SCOPES),
        *lms_routers(settings, letterhead_source(settings)),
        *course_routers(settings, letterhead_source(settings)),
        *certificate_routers(settings),
        *web_routers(
            settings,
            home_panels=[
                *course_panels(settings),
                *certificate_panels(settings),
                jp_panel(settings),
            ],
            person_scopes=PERSON_SCOPES,
        ),
    ]


def _template_dirs() -> list[Path | PathLike[Any] | str]:
    """The Jinja folders of the pages: the shell's, then each app's (names are prefixed by
    their folder, ``web/``, ``auth/``, ``delivery/``, ``pages/``, so they never collide)."""
    import certificates
    import courses

    here = Path(__file__).parent
    dirs = [
        here / "web" / "templates",
        here / "auth" / "templates",
        here / "competencies" / "templates",
        Path(courses.__file__).parent / "catalogue" / "templates",
        Path(courses.__file__).parent / "delivery" / "templates",
        Path(courses.__file__).parent / "assessments" / "templates",
        Path(courses.__file__).parent / "results" / "templates",
        Path(courses.__file__).parent / "lti" / "templates",
        Path(certificates.__file__).parent / "verification" / "templates",
        Path(certificates.__file__).parent / "siasn" / "templates",
        Path(certificates.__file__).parent / "records" / "templates",
    ]
    return [d for d in dirs if d.is_dir()]


def _template_globals(engine: JinjaTemplateEngine) -> None:
    """``asset('prima.css')`` in templates: the static file's versioned URL."""
    engine.engine.globals["asset"] = asset_url
    engine.engine.globals["style"] = inline_style


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the Prima ASGI app.

    Args:
        settings: Configuration; defaults to the process settings read from ``LMS_*``.
    """
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(
        settings.database_url, pool=settings.db_pool, pool_size=settings.db_pool_size
    )
    bind_engine(engine)
    jwt_auth = make_jwt_auth(settings)
    quiet_noisy_loggers()
    from certificates.records.metrics import certificate_metrics

    add_scrape_source(certificate_metrics)
    from courses.lti.content import placeable
    from lms.lti.deep_linking import register_content_source

    register_content_source(placeable)
    import lms.backup  # noqa: F401 - registers the nightly backup (lms.jobs.scheduled)

    counters = make_counters(settings.redis_url)

    async def on_startup(app: Litestar) -> None:
        await start_engine(engine)
        from lms.jobs.runner import recover_unfinished_jobs

        await recover_unfinished_jobs(settings)
        from lms.jobs.scheduled import start_local_scheduler

        start_local_scheduler(settings)
        # Everything loaded so far (modules, routes, schemas) lives as long as the process: keep
        # it out of the cyclic collector, whose full passes over it stalled requests by tens of
        # milliseconds (the verification benchmark's p99, docs/BENCHMARKS.md).
        gc.collect()
        gc.freeze()

    async def on_shutdown(app: Litestar) -> None:
        from lms.jobs.runner import shutdown_runner
        from lms.jobs.scheduled import stop_local_scheduler

        await stop_local_scheduler()
        await shutdown_runner()
        from lms.jobs.queue import close_queues

        await close_queues()
        from certificates.rendering.pool import shutdown_renderer

        await shutdown_renderer()
        await stop_engine(engine)
        if isinstance(counters, RedisCounters):
            await counters.close()
        flush_traces()
        gc.unfreeze()  # an app built again in this process (tests) lets the collector see them

    openapi = OpenAPIConfig(
        title="Prima API",
        version=lms.__version__,
        description=(
            "Prima: pelatihan pelayanan prima, hasil, sertifikat dan JP ASN. "
            "Log in at POST /api/v1/auth/login and send `Authorization: Bearer <token>`.\n\n"
            "Formats: every timestamp is RFC 3339 in UTC with `Z` (`2026-11-18T01:00:00Z`); "
            "where people read a session's wall clock it is also given without an offset in a "
            "`*_local` field (`2026-11-18T08:00:00`); dates are `YYYY-MM-DD`. Times sent without "
            "an offset are read in the session's time zone. JP, scores, means, percentages and "
            'IKM are decimal strings with exactly two decimals (`"24.00"`, `"86.50"`); '
            "ratios in 0..1 (normalized gain, item difficulty and discrimination) have four "
            '(`"0.3750"`). A certificate\'s `snapshot` is its record as printed, verbatim.'
        ),
        path="/schema",
        render_plugins=[
            SwaggerRenderPlugin(
                path="/",
                js_url=f"{_SWAGGER_URL}/swagger-ui-bundle.js",
                css_url=f"{_SWAGGER_URL}/swagger-ui.css",
                standalone_preset_js_url=f"{_SWAGGER_URL}/swagger-ui-standalone-preset.js",
                favicon="",
            )
        ],
        components=Components(
            security_schemes={
                "BearerToken": SecurityScheme(
                    type="http", scheme="bearer", bearer_format="JWT", description="JWT"
                )
            }
        ),
        security=[{"BearerToken": []}],
        use_handler_docstrings=True,
    )
    static = create_static_files_router(
        path=_SWAGGER_URL,
        directories=[_SWAGGER_DIR],
        cache_control=CacheControlHeader(public=True, max_age=365 * 24 * 3600, immutable=True),
        include_in_schema=False,
        opt={"exclude_from_auth": True},
    )
    app = Litestar(
        route_handlers=[HealthController, metrics, static, *_feature_routers(settings)],
        # Outermost first: the request id exists before anything can refuse the request.
        middleware=[request_id_middleware, RefuseNulMiddleware, prometheus_config().middleware],
        on_app_init=[jwt_auth.on_app_init],
        request_class=PrimaRequest,
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        # Traces only when an OTLP endpoint is configured (LMS_OTLP_ENDPOINT).
        plugins=[problem_details_plugin(), *tracing_plugins(settings)],
        exception_handlers={ValidationException: validation_problem_handler},
        openapi_config=openapi,
        # One timestamp form: instants shown on a session's wall clock leave as UTC with Z
        # (msgspec writes a plain UTC datetime the same way; lms.shared.values.ZonedTime).
        type_encoders={ZonedTime: rfc3339},
        state=State(
            {
                "settings": settings,
                "jwt_auth": jwt_auth,
                "engine": engine,
                "rate_counters": counters,
            }
        ),
        template_config=TemplateConfig(
            directory=_template_dirs(),
            engine=JinjaTemplateEngine,
            engine_callback=_template_globals,
        ),
        cors_config=CORSConfig(allow_origins=[]),
        # Litestar's logger sends its records up to the root logger, which ``lms serve``
        # configures (JSON lines with the request id); Litestar does not replace the root's
        # handlers with its own.
        logging_config=LoggingConfig(
            configure_root_logger=False,
            loggers={"litestar": {"level": "INFO", "handlers": [], "propagate": True}},
        ),
        request_max_body_size=settings.max_upload_bytes + 1024 * 1024,
        debug=settings.debug,
    )
    document_problems(app.openapi_schema, public_paths=PUBLIC_PATHS)
    decimals_as_strings(app.openapi_schema)
    return app
