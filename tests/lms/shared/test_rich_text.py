"""Question HTML is cleaned to a small allowlist; any other format stays text."""

from __future__ import annotations

from markupsafe import Markup, escape

from lms.shared.rich_text import block_html, inline_html, plain_text

HOSTILE = (
    '<p onclick="steal()">Lihat <b>tabel</b><script>alert(1)</script></p>'
    '<img src="x" onerror="alert(2)"><a href="javascript:alert(3)">klik</a>'
    '<span style="position:fixed">merah</span><style>p{display:none}</style>'
    '<iframe src="https://contoh.test"></iframe><svg onload="alert(4)"></svg>'
    '<form action="/keluar"><input name="x"></form><!-- komentar -->'
    "<table><tr><th>Jam</th><td>08.00</td></tr></table><ul><li><i>satu</i></li></ul>"
    "H<sub>2</sub>O x<sup>2</sup><br><pre><code>kode</code></pre><u>garis</u>"
)


def test_hostile_markup_is_neutralized_and_benign_markup_kept():
    out = block_html(HOSTILE, "html")
    assert isinstance(out, Markup)
    for bad in ("<script", "alert(", "onerror", "onclick", "onload", "javascript:", "style",
                "<img", "<a ", "<iframe", "<svg", "<form", "<input", "komentar"):  # fmt: skip
        assert bad not in out, bad
    for good in ("<p>Lihat <b>tabel</b></p>", "<th>Jam</th>", "<td>08.00</td>",
                 "<li><i>satu</i></li>", "H<sub>2</sub>O", "x<sup>2</sup>", "<br>",
                 "<pre><code>kode</code></pre>", "<u>garis</u>", "klik", "merah"):  # fmt: skip
        assert good in out, good


def test_options_take_inline_markup_only():
    out = inline_html("<p><b>Benar</b> <table><tr><td>x</td></tr></table></p><img src=x>", "html")
    assert out == Markup("<b>Benar</b> x")


def test_any_other_format_stays_text_for_the_template_to_escape():
    for fmt in ("moodle", "plain", "markdown"):
        out = block_html("<b>x</b><script>alert(1)</script>", fmt)
        assert not isinstance(out, Markup)
        assert str(escape(out)) == "&lt;b&gt;x&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;"


def test_plain_text_reads_the_words_without_the_tags():
    words = plain_text(HOSTILE, "html")
    assert words.startswith("Lihat tabel ") and "Jam 08.00 satu H2O x2" in words
    assert "alert" not in words and "<" not in words and "display" not in words
    # An escaped tag in the HTML is text, and stays text (the template escapes it again).
    assert plain_text("<p>a &amp; &lt;b&gt;</p>", "html") == "a & <b>"
    assert plain_text("<b>x</b>", "moodle") == "<b>x</b>"
