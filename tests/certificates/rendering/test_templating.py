import datetime as dt
from decimal import Decimal

import msgspec
import pytest

from certificates.rendering.snapshot import sample_snapshot
from certificates.rendering.templating import (
    TemplateError,
    TemplateSource,
    build_context,
    compile_template,
    course_phrase,
    default_template,
    fit_text,
    render_html,
)


def _html(template_html: str, **changes) -> str:
    return render_html(compile_template(template_html), sample_snapshot(**changes))


def test_context_has_printed_wording():
    context = build_context(sample_snapshot(valid_until=dt.date(2029, 11, 22)))
    assert context["course_phrase"] == "Pelatihan Pelayanan Prima Angkatan I"
    assert context["date_range"] == "20\u201322 November 2026"
    assert context["jp_text"] == "24"
    assert context["jp_words"] == "dua puluh empat"
    assert context["predikat_upper"] == "MEMUASKAN"
    assert context["final_score_text"] == "86,50"
    assert context["valid_until_text"] == "22 November 2029"
    assert context["modules_total_text"] == "24"
    assert context["modules"][5] == {
        "no": 6,
        "title": "Praktik Pelayanan di Front Office",
        "jp": 5,
        "jp_text": "5",
    }
    assert str(context["qr_svg"]).startswith("<svg")


def test_course_phrase_does_not_double_the_kind():
    assert course_phrase("Pelayanan Prima", None) == "Pelatihan Pelayanan Prima"
    assert course_phrase("Bimbingan Teknis OSS RBA", "Angkatan II") == (
        "Bimbingan Teknis OSS RBA Angkatan II"
    )
    assert course_phrase("pelatihan Pelayanan Prima", None) == "pelatihan Pelayanan Prima"


def test_fit_text_keeps_short_names_at_full_size_and_shrinks_long_ones():
    assert fit_text("Ni Made Ayu Suartini", 235, 30) == 30.0
    assert fit_text("Muh. Ma'ruf, S.Sos., M.Si.", 235, 30) == 30.0
    assert fit_text("Dr. Ir. Hj. Siti Nurhaliza, M.Si.", 235, 30) == 30.0
    long_name = "Dr. Ir. Hj. Siti Nurhaliza Binti Abdullah Rahman Syarifuddin, S.E., M.Si., M.H."
    size = fit_text(long_name, 235, 30)
    assert 9 <= size < 30
    assert fit_text("x" * 500, 235, 30) == 9.0


def test_names_are_escaped_not_interpreted():
    holder = msgspec.structs.replace(
        sample_snapshot().holder, name_with_titles="<script>alert(1)</script> <b>Budi</b> & Co"
    )
    html = _html(default_template().html, holder=holder)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;Budi&lt;/b&gt; &amp; Co" in html
    assert "<script>" not in html and "<b>Budi" not in html


def test_syntax_error_names_the_line():
    with pytest.raises(TemplateError, match="baris 3"):
        compile_template("<p>\n{{ number }}\n{% if holder %}</p>")


def test_undefined_variable_is_an_error_not_a_blank():
    with pytest.raises(TemplateError, match="Variabel templat tidak dikenal: 'nomor'"):
        _html("<p>{{ nomor }}</p>")
    with pytest.raises(TemplateError, match="tidak dikenal"):
        _html("<p>{{ holder.tanggal_lahir }}</p>")


def test_sandbox_blocks_python_internals():
    with pytest.raises(TemplateError, match="tidak diizinkan"):
        _html("{{ snapshot.__class__.__mro__ }}")
    with pytest.raises(TemplateError):
        _html("{{ ''.__class__.__subclasses__() }}")


def test_runtime_errors_in_the_template_become_template_errors():
    with pytest.raises(TemplateError, match="Templat gagal diisi"):
        _html("{{ jp / 0 }}")


def test_template_source_key_follows_content():
    a = TemplateSource.from_strings("<p>a</p>", "p{}")
    assert a.key == TemplateSource.from_strings("<p>a</p>", "p{}").key
    assert a.key != TemplateSource.from_strings("<p>b</p>", "p{}").key
    assert a.key != TemplateSource.from_strings("<p>a</p>", "p{ }").key


def test_default_template_fills_every_field():
    html = _html(default_template().html, jp=Decimal("7.5"))
    for text in (
        "SERTIFIKAT",
        "Nomor: 001/PP/DPMPTSP/XI/2026",
        "Muh. Ma&#39;ruf, S.Sos., M.Si.",
        "19860926 201505 1 001",
        "Penata Muda Tingkat I, III/b",
        "7,5 (tujuh koma lima) Jam Pelajaran",
        "MEMUASKAN",
        "Padang Panjang, 22 November 2026",
        "Pindai untuk verifikasi",
        "DAFTAR MATA PELATIHAN",
    ):
        assert text in html
