"""Small checks around ``requirements.lock`` (the hashed lock ``make lock`` writes with uv).

    lock_tool.py extract NAME < requirements.lock   print NAME's locked entry (to bootstrap uv)
    lock_tool.py check pyproject.toml requirements.lock
        fail when a dependency of pyproject.toml (runtime and the ``dev`` extra) is missing
        from the lock or pinned to a version the requirement does not allow, or when the lock
        names an index, find-links or a local path (it must install the same anywhere)
    lock_tool.py diff OLD NEW                        print added, removed and changed pins

``extract`` runs before the virtual environment exists, so this file uses only the standard
library; ``check`` uses ``packaging`` from the environment when it is there.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def entries(text: str) -> dict[str, tuple[str, str]]:
    """Map each locked package to (version, its whole entry with hashes and comments)."""
    found: dict[str, tuple[str, str]] = {}
    current: str | None = None
    lines: list[str] = []
    version = ""
    for line in text.splitlines():
        match = _ENTRY.match(line)
        if match:
            if current:
                found[current] = (version, "\n".join(lines))
            current, version, lines = _normalize(match.group(1)), match.group(3), [line]
        elif current and line.startswith((" ", "\t")):
            lines.append(line)
    if current:
        found[current] = (version, "\n".join(lines))
    return found


def extract(name: str) -> int:
    entry = entries(sys.stdin.read()).get(_normalize(name))
    if entry is None:
        print(f"{name} is not in the lock", file=sys.stderr)
        return 1
    print(entry[1])
    return 0


def check(pyproject: Path, lock: Path) -> int:
    from packaging.requirements import Requirement

    project = tomllib.loads(pyproject.read_text())["project"]
    wanted = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    text = lock.read_text()
    locked = entries(text)
    problems = []
    for raw in wanted:
        requirement = Requirement(raw)
        pin = locked.get(_normalize(requirement.name))
        if pin is None:
            problems.append(f"{requirement.name}: in pyproject.toml, not in the lock")
        elif not requirement.specifier.contains(pin[0], prereleases=True):
            problems.append(f"{requirement.name}: pyproject.toml asks {raw}, lock has {pin[0]}")
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("--index-url", "--extra-index-url", "--find-links", "-f ", "-e ")):
            problems.append(f"the lock names a source: {stripped}")
        elif stripped and not stripped.startswith("#") and ("file:" in stripped or " @ " in line):
            problems.append(f"the lock names a local path or URL: {stripped}")
    unhashed = [name for name, (_, entry) in locked.items() if "--hash=sha256:" not in entry]
    problems += [f"{name}: no hash in the lock" for name in unhashed]
    if problems:
        print("pyproject.toml and requirements.lock disagree; run `make lock`:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"lock ok: {len(locked)} packages pinned with hashes, {len(wanted)} asked for")
    return 0


def diff(old: Path, new: Path) -> int:
    before = {k: v[0] for k, v in entries(old.read_text()).items()}
    after = {k: v[0] for k, v in entries(new.read_text()).items()}
    changes = [f"+ {k}=={after[k]}" for k in sorted(after.keys() - before.keys())]
    changes += [f"- {k}=={before[k]}" for k in sorted(before.keys() - after.keys())]
    changes += [
        f"~ {k} {before[k]} -> {after[k]}"
        for k in sorted(before.keys() & after.keys())
        if before[k] != after[k]
    ]
    print("\n".join(changes) if changes else "the lock is unchanged")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "extract":
        return extract(argv[1])
    if len(argv) == 3 and argv[0] == "check":
        return check(Path(argv[1]), Path(argv[2]))
    if len(argv) == 3 and argv[0] == "diff":
        return diff(Path(argv[1]), Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
