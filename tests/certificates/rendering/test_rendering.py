import asyncio
import base64
import contextlib
import datetime as dt
import io
import os
import signal
import time
from decimal import Decimal

import msgspec
import pypdf
import pytest

from certificates.rendering.engine import RenderEngine, RenderError
from certificates.rendering.snapshot import HolderSnapshot, ModuleLine, sample_snapshot
from certificates.rendering.templating import (
    TEMPLATES_DIR,
    TemplateError,
    TemplateSource,
    default_template,
)
from certificates.rendering.workers import (
    CertificateRenderer,
    render_one,
    render_preview,
    validate_template,
)
from lms.shared.pdf import LocalFetcher

LOGO = (
    "data:image/svg+xml;base64,"
    + base64.b64encode((TEMPLATES_DIR / "sample" / "logo.svg").read_bytes()).decode()
)


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def _holder(name: str, nip: str = "19860926 201505 1 001") -> HolderSnapshot:
    return HolderSnapshot(
        name_with_titles=name,
        nip_display=nip,
        pangkat_golongan="Penata Muda Tingkat I, III/b",
        jabatan="Kepala Seksi Pelayanan",
        unit_name="Kecamatan Padang Panjang Timur",
    )


def _snapshots(n: int):
    base = sample_snapshot(logo=LOGO)
    return [
        msgspec.structs.replace(
            base,
            number=f"{i + 1:03d}/PP/DPMPTSP/XI/2026",
            holder=_holder(f"Peserta Ke-{i + 1}, S.Sos.", f"19860926 201505 1 {i + 1:03d}"),
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def renderer():
    with CertificateRenderer(workers=2, chunk_size=3, warm_up=False) as pool:
        yield pool


def test_render_one_prints_every_field():
    pdf = render_one(default_template(), sample_snapshot(logo=LOGO))
    assert pdf.startswith(b"%PDF-")
    front, back = _text(pdf)
    for text in (
        "SERTIFIKAT",
        "Nomor: 001/PP/DPMPTSP/XI/2026",
        "diberikan kepada:",
        "Muh. Ma'ruf, S.Sos., M.Si.",
        "NIP : 19860926 201505 1 001",
        "Pangkat/Golongan : Penata Muda Tingkat I, III/b",
        "Jabatan : Kepala Seksi Pelayanan",
        "Unit Kerja : Kecamatan Padang Panjang Timur",
        "Pelatihan Pelayanan Prima Angkatan I",
        "20\u201322 November 2026",
        "24 (dua puluh empat) Jam Pelajaran dengan predikat MEMUASKAN.",
        "PEMERINTAH KOTA PADANG PANJANG",
        "Padang Panjang, 22 November 2026",
        "Dra. Hj. Yuniarti, M.M.",
        "NIP 19700312 199603 2 002",
        "Pindai untuk verifikasi",
    ):
        assert text in front
    assert "DAFTAR MATA PELATIHAN" in back
    assert "6 Praktik Pelayanan di Front Office 5" in back
    assert "Jumlah 24" in back


def test_pdf_metadata_comes_from_the_snapshot():
    reader = pypdf.PdfReader(io.BytesIO(render_one(default_template(), sample_snapshot())))
    assert reader.metadata.title == "Sertifikat 001/PP/DPMPTSP/XI/2026"
    assert reader.metadata.author == (
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Padang Panjang"
    )


def test_only_the_bundled_fonts_are_embedded():
    reader = pypdf.PdfReader(io.BytesIO(render_one(default_template(), sample_snapshot())))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]).split("+", 1)[1])
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
    assert names == {"Prima-Serif", "Prima-Serif-Bold", "Prima-Serif-Italic", "Prima-Sans"}


def test_names_with_markup_print_as_text():
    snapshot = sample_snapshot(holder=_holder("<script>alert(1)</script> <b>Budi</b>"))
    front = _text(render_one(default_template(), snapshot))[0]
    assert "<script>alert(1)</script> <b>Budi</b>" in front


@pytest.mark.parametrize(
    "name",
    ["Ni Made Ayu Suartini", "Muh. Ma'ruf, S.Sos., M.Si.", "Dr. Ir. Hj. Siti Nurhaliza, M.Si."],
)
def test_names_fit_on_one_line(name):
    front = _text(render_one(default_template(), sample_snapshot(holder=_holder(name))))[0]
    assert f"\n{name}\n" in front


def test_very_long_names_shrink_to_one_line():
    name = "Dr. Ir. Hj. Siti Nurhaliza Binti Abdullah Rahman Syarifuddin, S.E., M.Si., M.H."
    front = _text(render_one(default_template(), sample_snapshot(holder=_holder(name))))[0]
    assert f"\n{name}\n" in front


def test_certificate_without_modules_has_one_page():
    pdf = render_one(default_template(), sample_snapshot(modules=()))
    assert len(_text(pdf)) == 1


def test_rendering_is_deterministic():
    template = default_template()
    assert render_one(template, sample_snapshot()) == render_one(template, sample_snapshot())


def test_batched_layout_gives_the_same_bytes_as_one_by_one():
    snapshots = _snapshots(5)
    template = default_template()
    batched = RenderEngine(batch_size=5).render(template, snapshots)
    single = RenderEngine(batch_size=1).render(template, snapshots)
    assert batched == single
    assert len(_text(batched[0])) == 2


def test_html_templates_that_are_not_xml_render_too():
    html = default_template().html.replace('<meta charset="utf-8" />', '<meta charset="utf-8">')
    template = TemplateSource.from_strings(html, default_template().css)
    engine = RenderEngine(batch_size=4)
    pdfs = engine.render(template, _snapshots(4))
    assert engine.compiled(template).xml_ok is False
    assert pdfs == RenderEngine(batch_size=4).render(default_template(), _snapshots(4))


def test_position_dependent_css_is_rendered_one_by_one():
    css = default_template().css + "\n@page :first { margin-top: 0 }"
    template = TemplateSource.from_strings(default_template().html, css)
    engine = RenderEngine(batch_size=4)
    assert engine.compiled(template).batchable is False
    texts = [_text(p)[0] for p in engine.render(template, _snapshots(3))]
    assert ["Peserta Ke-1" in t for t in texts] == [True, False, False]


def test_broken_templates_raise_template_error():
    broken = TemplateSource.from_strings("<p>{% if number %}</p>", "")
    with pytest.raises(TemplateError, match="baris 1"):
        render_one(broken, sample_snapshot())
    undefined = TemplateSource.from_strings("<p>{{ nama_peserta }}</p>", "")
    with pytest.raises(TemplateError, match="nama_peserta"):
        render_preview(undefined)
    with pytest.raises(TemplateError):
        validate_template(undefined)
    assert "Muh. Ma&#39;ruf" in validate_template(default_template())


def test_templates_cannot_read_local_files_or_the_network():
    fetcher = LocalFetcher(TEMPLATES_DIR)
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1/")
    font = (TEMPLATES_DIR / "fonts" / "LiberationSans-Regular.ttf").as_uri()
    assert fetcher.fetch(font).read(4) == b"\x00\x01\x00\x00"
    html = '<p>a<img src="file:///etc/hostname"></p>'
    pdf = render_one(TemplateSource.from_strings(html, ""), sample_snapshot())
    assert b"/Subtype /Image" not in pdf and b"/Image" not in pdf


def test_pool_renders_every_snapshot_in_order(renderer):
    snapshots = _snapshots(8)
    pdfs = renderer.render_batch(default_template(), snapshots)
    assert len(pdfs) == 8
    for i, pdf in enumerate(pdfs, start=1):
        assert pdf.startswith(b"%PDF-")
        front = _text(pdf)[0]
        assert f"Nomor: {i:03d}/PP/DPMPTSP/XI/2026" in front
        assert f"Peserta Ke-{i}, S.Sos." in front
    assert pdfs[0] == render_one(default_template(), snapshots[0])
    assert {pid for pid, *_ in renderer.samples} and all(
        rss > 0 for _, _, rss, _ in renderer.samples
    )


async def test_pool_renders_from_the_event_loop(renderer):
    snapshots = _snapshots(7)
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    results = {}
    async for index, pdf in renderer.render_many(default_template(), snapshots):
        results[index] = pdf
    task.cancel()
    assert sorted(results) == list(range(7))
    assert "Peserta Ke-7, S.Sos." in _text(results[6])[0]
    assert ticks > 0  # the loop kept running while workers rendered


def test_pool_reports_template_errors_and_keeps_working(renderer):
    broken = TemplateSource.from_strings("<p>{{ nama_peserta }}</p>", "")
    with pytest.raises(TemplateError, match="nama_peserta"):
        renderer.render_batch(broken, _snapshots(4))
    assert len(renderer.render_batch(default_template(), _snapshots(2))) == 2


def test_pool_replaces_a_worker_that_died_between_jobs(renderer):
    pid = renderer.samples[-1][0]
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    pdfs = renderer.render_batch(default_template(), _snapshots(6))
    assert len(pdfs) == 6
    assert pid not in {sample[0] for sample in list(renderer.samples)[-2:]}


def test_pool_fails_the_job_a_worker_died_in_and_recovers(renderer):
    results = renderer.iter_batch(default_template(), _snapshots(18))
    next(results)
    for pid in {sample[0] for sample in renderer.samples}:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with pytest.raises(RenderError, match="dimulai ulang"):
        list(results)
    assert len(renderer.render_batch(default_template(), _snapshots(3))) == 3


def test_a_pool_whose_worker_died_unnoticed_is_broken_and_restarted(renderer):
    # What the watchdog in iter_batch does when a worker died mid-send and the executor's
    # reader is stuck: the remaining workers are killed and the result pipe closed, so the
    # executor breaks; the next job gets a fresh pool.
    old = renderer._executor
    victim = next(iter(old._processes.values()))
    victim.kill()
    victim.join(5)
    renderer._unstick_if_a_worker_died()  # a no-op when the executor noticed first
    deadline = time.monotonic() + 10
    while not getattr(old, "_broken", False) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert old._broken
    assert len(renderer.render_batch(default_template(), _snapshots(3))) == 3
    assert renderer._executor is not old


def test_a_page_section_that_overflows_keeps_all_its_pages_in_a_batch():
    modules = tuple(
        ModuleLine(title=f"Mata Pelatihan Nomor {i}", jp=Decimal("1.5")) for i in range(1, 41)
    )
    snapshots = [msgspec.structs.replace(s, modules=modules, jp=60) for s in _snapshots(3)]
    batched = RenderEngine(batch_size=3).render(default_template(), snapshots)
    assert batched == RenderEngine(batch_size=1).render(default_template(), snapshots)
    pages = _text(batched[2])
    assert "Peserta Ke-3, S.Sos." in pages[0]
    back = "\n".join(pages[1:])
    for i in range(1, 41):
        assert back.count(f"\n{i} Mata Pelatihan Nomor {i} 1,5\n") == 1
    assert pages[-1].endswith("Jumlah 60")


def test_validity_date_is_printed_when_the_certificate_expires():
    snapshot = sample_snapshot(valid_until=dt.date(2029, 11, 22))
    assert (
        "Berlaku sampai dengan 22 November 2029"
        in _text(render_one(default_template(), snapshot))[0]
    )


def test_markup_an_html_parser_would_repair_is_parsed_as_html():
    html = "<html><body><pre>\nKode</pre><p>a<div>b</div></p></body></html>"
    template = TemplateSource.from_strings(html, "")
    engine = RenderEngine()
    engine.render(template, [sample_snapshot()])
    assert engine.compiled(template).xml_ok is False
