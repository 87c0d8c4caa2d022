"""Piccolo configuration: the engine comes from ``Settings`` (``LMS_DATABASE_URL``).

The Piccolo CLI (``piccolo migrations ...``) and the app both read this module, so the
migrations always run against the same database the server uses.
"""

from piccolo.conf.apps import AppRegistry

from lms.config import get_settings
from lms.db import make_engine

_settings = get_settings()

DB = make_engine(_settings.database_url, pool=_settings.db_pool, pool_size=_settings.db_pool_size)

APP_REGISTRY = AppRegistry(
    apps=[
        "lms.piccolo_app",
        "courses.piccolo_app",
        "certificates.piccolo_app",
    ]
)
