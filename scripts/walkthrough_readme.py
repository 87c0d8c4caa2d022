"""The README's walkthrough section, generated from ``scripts/walkthrough.sh`` so the two never
drift apart (a test compares them).

In the script, lines starting with ``#:`` are the README's prose (markdown); every other line
after the first ``#:`` is code and goes into ``sh`` blocks, except the ``step "..."`` lines that
only label the script's output. Usage::

    python3 scripts/walkthrough_readme.py --write   # rewrite the section of README.md
    python3 scripts/walkthrough_readme.py --check   # exit 1 (with a diff) when it is stale
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "walkthrough.sh"
README = ROOT / "README.md"
BEGIN = "<!-- generated from scripts/walkthrough.sh by scripts/walkthrough_readme.py -->"
END = "<!-- end of the generated walkthrough -->"


def render(script: str) -> str:
    """The markdown for the script's text: prose as is, code in ``sh`` blocks."""
    lines = script.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("#:"))
    out: list[str] = []
    code: list[str] = []

    def flush() -> None:
        while code and not code[-1].strip():
            code.pop()
        while code and not code[0].strip():
            code.pop(0)
        if code:
            out.extend(["", "```sh", *code, "```", ""])
        code.clear()

    for line in lines[start:]:
        if line.startswith("#:"):
            flush()
            out.append(line[3:] if line.startswith("#: ") else line[2:])
        elif line.startswith("step "):
            continue
        else:
            code.append(line)
    flush()
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip("\n") + "\n"


def updated_readme(readme: str, script: str) -> str:
    """``readme`` with the text between the markers replaced by the rendered script."""
    head, rest = readme.split(BEGIN + "\n", 1)
    _, tail = rest.split(END + "\n", 1)
    return f"{head}{BEGIN}\n\n{render(script)}\n{END}\n{tail}"


def main(argv: list[str]) -> int:
    readme = README.read_text(encoding="utf-8")
    wanted = updated_readme(readme, SCRIPT.read_text(encoding="utf-8"))
    if argv == ["--write"]:
        README.write_text(wanted, encoding="utf-8")
        return 0
    if argv == ["--check"]:
        if readme == wanted:
            return 0
        sys.stdout.writelines(
            difflib.unified_diff(
                readme.splitlines(keepends=True),
                wanted.splitlines(keepends=True),
                "README.md",
                "README.md (from scripts/walkthrough.sh)",
            )
        )
        return 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
