import re
from urllib.parse import unquote

from certificates.rendering.qr import make_qr, qr_data_uri, qr_svg

URL = "https://prima.padangpanjang.go.id/verify/K7QM2XW9RT4HBP3N"


def _path(svg: str) -> str:
    return re.search(r' d="([^"]+)"', svg).group(1)


def test_qr_is_a_standard_qr_with_error_correction_m():
    code = make_qr(URL)
    assert code.error == "M"
    assert not code.is_micro
    assert code.version == 4


def test_qr_svg_is_inline_svg_sized_by_css():
    svg = qr_svg(URL)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 41 41"')
    assert 'class="qr"' in svg
    assert "width=" not in svg and "<?xml" not in svg
    assert svg.endswith("</svg>")


def test_qr_svg_draws_exactly_the_matrix_of_the_url():
    # The same data always gives the same symbol; other data gives another symbol.
    code = make_qr(URL)
    dark_modules = sum(sum(row) for row in code.matrix)
    drawn = sum(int(n) for n in re.findall(r"h(\d+)", _path(qr_svg(URL))))
    assert drawn == dark_modules
    assert _path(qr_svg(URL)) == _path(qr_svg(URL))
    assert _path(qr_svg(URL)) != _path(qr_svg(URL.replace("K7QM", "K7QN")))


def test_qr_data_uri_is_the_same_symbol():
    uri = qr_data_uri(URL)
    assert uri.startswith("data:image/svg+xml")
    assert _path(unquote(uri).replace("'", '"')) == _path(qr_svg(URL))
