"""The import rules of docs/DEVELOPING.md, checked on the source so the layout cannot rot.

* Apps: ``certificates -> courses -> lms``; ``lms`` imports neither (except ``lms/app.py`` and
  ``lms/cli.py``, which put the apps together), ``courses`` never imports ``certificates``.
* Inside an app, its folders (and the concept folders inside a folder) import one way, in the
  order of ``ORDERS`` below: a folder imports only folders listed before it. The modules at the
  top of an app or folder (``tables.py``, ``routes.py``, ``demo.py``, ``cli.py``, ...) put the
  folders together and may import any of them; ``tables.py`` itself imports no folder.

Imports inside functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("lms", "courses", "certificates")
"""The apps, lowest first: each imports only the ones before it."""

APP_EXCEPTIONS = {"lms.app", "lms.cli"}
"""The composition root and the command line mount every app."""

ORDERS: dict[str, tuple[str, ...]] = {
    "courses": ("catalogue", "delivery", "assessments", "results", "lti"),
    "courses.delivery": ("sessions", "trainers", "agenda", "enrollment", "attendance"),
    "courses.assessments": ("questions", "quizzes", "attempts", "reports"),
    "certificates": ("rendering", "issuing", "records", "badges", "verification", "siasn"),
}
"""Per package, its folders lowest first: a folder imports only folders before it."""


def _modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "piccolo_migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


MODULES = _modules()
IMPORTS = {name: _imports(path) for name, path in MODULES.items()}


def _folder(module: str, package: str) -> str | None:
    """The folder of ``package`` that ``module`` lives in (None: outside, or at its top)."""
    if not module.startswith(package + "."):
        return None
    first = module[len(package) + 1 :].split(".")[0]
    return first if first in ORDERS[package] else None


def test_the_apps_import_one_way():
    wrong = []
    for module, imported in IMPORTS.items():
        if module in APP_EXCEPTIONS:
            continue
        rank = APPS.index(module.split(".")[0])
        for name in imported:
            app = name.split(".")[0]
            if app in APPS and APPS.index(app) > rank:
                wrong.append(f"{module} imports {name}")
    assert wrong == []


@pytest.mark.parametrize("package", sorted(ORDERS))
def test_folders_import_one_way(package):
    order = ORDERS[package]
    wrong = []
    for module, imported in IMPORTS.items():
        folder = _folder(module, package)
        if module == f"{package}.tables":
            folder = ""  # the tables import no folder
        if folder is None:
            continue
        rank = order.index(folder) if folder else -1
        for name in imported:
            target = _folder(name, package)
            if target is not None and target != folder and order.index(target) > rank:
                wrong.append(f"{module} imports {name}")
    assert wrong == []


def test_every_folder_is_in_the_order():
    """A new concept folder gets a place in ``ORDERS`` (and in the map of DEVELOPING.md)."""
    missing = []
    for package, order in ORDERS.items():
        base = ROOT.joinpath(*package.split("."))
        for child in sorted(base.iterdir()):
            if child.name == "piccolo_migrations" or not (child / "__init__.py").is_file():
                continue
            if child.name not in order:
                missing.append(f"{package}.{child.name}")
    assert missing == []
