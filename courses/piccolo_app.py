"""The ``courses`` Piccolo app: catalogue, delivery, assessments and results."""

import os

from piccolo.conf.apps import AppConfig, table_finder

CURRENT_DIRECTORY = os.path.dirname(os.path.abspath(__file__))

APP_CONFIG = AppConfig(
    app_name="courses",
    migrations_folder_path=os.path.join(CURRENT_DIRECTORY, "piccolo_migrations"),
    table_classes=table_finder(modules=["courses.tables"], exclude_imported=True),
    migration_dependencies=["lms.piccolo_app"],
    commands=[],
)
