"""The catalogue tests clean up and pool like the delivery tests (see there why)."""

from tests.courses.delivery.conftest import _clean_tables, pg_pool  # noqa: F401
