"""The ``lms`` Piccolo app: the platform core (units, people, users, audit, jobs, ledger)."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="lms",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["lms.tables"], exclude_imported=False),
    migration_dependencies=[],
    commands=[],
)
