"""The badge image: a PNG drawn with Pillow, with the credential baked into it.

Open Badges 3.0 baking: the credential (the JSON with its embedded proof, or a compact VC-JWT)
is the text of one ``iTXt`` chunk with the keyword ``openbadgecredential``, uncompressed.
``extract`` reads it back without decoding the image (a chunk walk, with size limits), so an
uploaded badge is checked without trusting an image decoder.
"""

from __future__ import annotations

import io
import struct
import textwrap
import zlib
from functools import cache
from importlib import resources

from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

KEYWORD = "openbadgecredential"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIZE = 512
_BLUE = (23, 63, 143)
_GOLD = (201, 162, 39)
_INK = (24, 24, 27)


class NotABadge(ValueError):
    """The file is not a PNG, or carries no ``openbadgecredential`` chunk."""


@cache
def _font_bytes(name: str) -> bytes:
    folder = resources.files("certificates.rendering").joinpath("templates", "fonts")
    return folder.joinpath(name).read_bytes()


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    return ImageFont.truetype(io.BytesIO(_font_bytes(name)), size)


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, font: ImageFont.FreeTypeFont) -> int:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((SIZE - (right - left)) / 2 - left, y), text, font=font, fill=_INK)
    return y + int(bottom - top) + 8


def badge_image(title: str, jp: str, organizer: str, predikat: str | None) -> Image.Image:
    """The picture of the badge: a seal with the course, its JP and the office."""
    image = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=_BLUE)
    draw.ellipse((30, 30, SIZE - 30, SIZE - 30), fill=(255, 255, 255), outline=_GOLD, width=8)
    y = 92
    y = _centered(draw, y, "SERTIFIKAT PELATIHAN", _font(20, bold=True))
    y += 10
    lines = textwrap.wrap(title, 22)[:4]
    for line in lines:
        y = _centered(draw, y, line, _font(30, bold=True))
    y += 8
    y = _centered(draw, y, f"{jp} JP", _font(40, bold=True)) + 6
    if predikat:
        y = _centered(draw, y, predikat, _font(22))
    org = textwrap.wrap(organizer, 36)[:3]
    y = max(y + 6, 356)
    for line in org:
        y = _centered(draw, y, line, _font(16))
    return image


def bake(image: Image.Image, credential_text: str) -> bytes:
    """The PNG bytes of ``image`` with ``credential_text`` in an ``openbadgecredential`` iTXt."""
    info = PngInfo()
    info.add_itxt(KEYWORD, credential_text, lang="", tkey="", zip=False)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, optimize=True)
    return out.getvalue()


def extract(png: bytes, max_text: int = 1024 * 1024) -> str:
    """The baked credential text of a PNG.

    Raises:
        NotABadge: not a PNG, a broken chunk, or no ``openbadgecredential`` iTXt chunk.
    """
    if not png.startswith(PNG_SIGNATURE):
        raise NotABadge("berkas bukan PNG")
    offset = len(PNG_SIGNATURE)
    while offset + 8 <= len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        data = png[offset + 8 : offset + 8 + length]
        if len(data) != length:
            raise NotABadge("PNG terpotong")
        offset += 12 + length
        if kind == b"IEND":
            break
        if kind != b"iTXt":
            continue
        keyword, sep, rest = data.partition(b"\0")
        if not sep or keyword.decode("latin-1") != KEYWORD or len(rest) < 2:
            continue
        compressed, method, rest = rest[0], rest[1], rest[2:]
        _lang, _, rest = rest.partition(b"\0")
        _translated, _, text = rest.partition(b"\0")
        if compressed:
            if method != 0:
                raise NotABadge("kompresi iTXt tidak dikenal")
            inflater = zlib.decompressobj()
            text = inflater.decompress(text, max_text + 1)
            if len(text) > max_text:
                raise NotABadge("kredensial dalam PNG terlalu besar")
        if len(text) > max_text:
            raise NotABadge("kredensial dalam PNG terlalu besar")
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotABadge("kredensial dalam PNG bukan UTF-8") from exc
    raise NotABadge("PNG tidak memuat kredensial Open Badges (openbadgecredential)")
