"""Rendering is bounded: a heavy template is refused (it does not keep a worker busy), and the
render workers do not outlive the process that started them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from certificates.rendering.snapshot import sample_snapshot
from certificates.rendering.templating import (
    TemplateError,
    TemplateSource,
    compile_template,
    default_template,
    render_html,
)
from certificates.rendering.workers import CertificateRenderer
from tests.certificates.builders.issuing import pdf_text, render_pool  # noqa: F401 (a fixture)

SIMPLE = (
    '<html><body><section class="page"><h1>PIAGAM UJI</h1>'
    "<p>{{ holder.name_with_titles }}</p></section></body></html>"
)
#: About nine million loop steps: seconds of work before the limits, refused at once after.
NESTED = (
    "<p>{% for i in range(3000) %}{% for j in range(3000) %}{% endfor %}{% endfor %}"
    "{{ holder.name_with_titles }}</p>"
)


def _fill(html: str) -> str:
    return render_html(compile_template(html), sample_snapshot())


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (NESTED, "perulangan"),
        (
            "{% set l = range(1000)|list %}{% for a in l %}{% for b in l %}{% for c in l %}"
            "{% endfor %}{% endfor %}{% endfor %}",
            "perulangan",
        ),
        # Two calls per level, forty levels deep: no loop at all, 2**40 calls.
        (
            "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}"
            "{{ m(40) }}",
            "melebihi",  # the step count or the fill's time limit, whichever comes first
        ),
        ("{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}", "terlalu dalam"),
        ("{{ 'x' * 100000000 }}", "perkalian"),
        ("{{ (range(10)|list) * 100000000 }}", "perkalian"),
        ("{{ 7 ** 100000000 }}", "pangkat"),
        ("{% for i in range(90000) %}{{ holder.name_with_titles }}{% endfor %}", "karakter"),
        ("{{ 'x'|center(1000000000) }}", "center"),
        ("{{ 'x'.ljust(1000000000) }}", "ljust"),
        ("{{ '%01000000000d'|format(1) }}", "format"),
        ("{{ '{:>1000000000}'.format(1) }}", "format"),
        ("{{ ('x' * 99999)|replace('x', 'y' * 99999) }}", "replace"),
        ("{{ [1, 2]|slice(1000000000)|list }}", "slice"),
    ],
    ids=[
        "nested_range",
        "nested_list",
        "macro_fan_out",
        "macro_recursion",
        "string_repeat",
        "list_repeat",
        "power",
        "output_size",
        "center_filter",
        "ljust_method",
        "format_filter",
        "format_method",
        "replace_filter",
        "slice_filter",
    ],
)
def test_a_heavy_template_is_refused_while_it_is_filled(html, reason):
    began = time.monotonic()
    with pytest.raises(TemplateError) as raised:
        _fill(html)
    assert raised.value.message.startswith("Templat terlalu berat: ")
    assert reason in raised.value.message
    assert time.monotonic() - began < 60  # generous: the point is that it ends


def test_ordinary_templates_fill_as_before():
    html = _fill(
        "{% for m in modules %}{{ loop.index }}/{{ loop.length }}"
        "{% if loop.last %}.{% endif %} {% endfor %}{{ 'ab' * 3 }} {{ 2 ** 10 }}|"
        "{% for x in [[1, [2]], [3]] recursive %}{{ x[0] }}{% endfor %}"
        "|{{ 'ab'|center(6) }}|{{ '%05d'|format(42) }}|{{ '{:>3}'.format(7) }}"
        "|{{ number|replace('/', '-') }}"
    )
    assert html == (
        "1/6 2/6 3/6 4/6 5/6 6/6. ababab 1024|13|  ab  |00042|  7|001-PP-DPMPTSP-XI-2026"
    )
    assert "Muh. Ma&#39;ruf" in _fill(default_template().html)


def test_a_layout_over_the_time_limit_fails_and_the_worker_carries_on():
    # Cheap to fill (20,000 loop steps), slow to lay out: only the worker's limit stops it.
    slow = TemplateSource.from_strings(
        "<html><body>{% for i in range(20000) %}<p>{{ i }}</p>{% endfor %}</body></html>", ""
    )
    with CertificateRenderer(workers=1, warm_up=False, time_limit=1) as renderer:
        with pytest.raises(TemplateError, match="melebihi batas 1 detik"):
            renderer.render_batch(slow, [sample_snapshot()])
        simple = TemplateSource.from_strings(SIMPLE, "")
        (pdf,) = renderer.render_batch(simple, [sample_snapshot()])
        assert pdf_text(pdf) == "PIAGAM UJI Muh. Ma'ruf, S.Sos., M.Si."


@pytest.mark.usefixtures("render_pool")
async def test_a_nested_loop_preview_is_a_422_and_the_next_preview_works(app, client, organizer):
    resp = await client.post(
        "/api/v1/certificate-templates/preview", json={"html": NESTED}, headers=organizer.headers
    )
    assert resp.status_code == 422, resp.text
    body = resp.json()
    assert body["detail"].startswith("Templat tidak dapat dipakai: Templat terlalu berat: ")
    assert body["errors"][0]["field"] == "html"
    created = await client.post(
        "/api/v1/certificate-templates",
        json={"name": "Berat", "html": NESTED},
        headers=organizer.headers,
    )
    assert created.status_code == 422, created.text
    resp = await client.post(
        "/api/v1/certificate-templates/preview", json={"html": SIMPLE}, headers=organizer.headers
    )
    assert resp.status_code == 200, resp.text
    assert pdf_text(resp.content) == "PIAGAM UJI Muh. Ma'ruf, S.Sos., M.Si."


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_workers_exit_when_the_process_that_started_them_is_killed(tmp_path):
    script = tmp_path / "owner.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys, time
            from certificates.rendering.workers import CertificateRenderer

            if __name__ == "__main__":
                renderer = CertificateRenderer(workers=2, warm_up=False)
                pids = list(renderer._executor._processes)
                print(" ".join(map(str, pids)), flush=True)
                time.sleep(600)
            """
        )
    )
    owner = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=Path(__file__).resolve().parents[3],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    pids: list[int] = []
    try:
        line = owner.stdout.readline() if owner.stdout else ""
        pids = [int(pid) for pid in line.split()]
        assert len(pids) == 2 and all(_running(pid) for pid in pids), line
        owner.send_signal(signal.SIGKILL)
        owner.wait(30)
        deadline = time.monotonic() + 30
        while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [pid for pid in pids if _running(pid)] == []
    finally:
        if owner.poll() is None:
            owner.kill()
            owner.wait()
        if owner.stdout:
            owner.stdout.close()
        for pid in pids:  # only on failure: do not leave the test's own workers behind
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
