"""Run every benchmark script in this folder, one after another, and print their tables.

``make bench`` calls this. Each ``bench_*.py`` is a standalone script that measures its budget
against a baseline *in the same run* and prints a markdown table; the figures recorded in
docs/BENCHMARKS.md come from this command. Pass names to run a subset:
``python tests/benchmarks/run_all.py db verify``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(s.stem == f"bench_{a}" for a in argv)]
    failures = 0
    for script in scripts:
        print(f"\n## {script.stem}\n", flush=True)
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script)], cwd=HERE.parents[1])
        print(f"\n({script.name}: exit {proc.returncode}, {time.perf_counter() - started:.0f} s)")
        failures += proc.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
