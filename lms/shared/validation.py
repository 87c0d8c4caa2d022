"""msgspec's and Litestar's validation messages, in Indonesian, naming fields as clients send them.

msgspec words its errors in English with internal notation ("Object missing required field
`modules`", "Expected `str` of length >= 8 - at `$.password`") and Litestar reports a missing
field of the body as the field ``data`` with the source ``ParamType.QUERY`` spelled out. People
read these messages, so every path that turns a validation error into text (the app's handler
for ``ValidationException`` and bad JSON, ``decode_body`` for handlers that read the body
themselves, and the CLI) goes through :func:`describe`, which translates each message form with
the table below and, for enums and dates, says what is allowed.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from typing import Any

import msgspec
import msgspec.inspect as mi

_TYPES = {
    "str": "teks",
    "int": "bilangan bulat",
    "float": "angka",
    "decimal": "angka desimal",
    "bool": "true atau false",
    "array": "daftar (array)",
    "object": "objek",
    "null": "null",
    "datetime": "tanggal-waktu",
    "date": "tanggal",
    "time": "jam",
    "uuid": "UUID",
    "bytes": "data base64",
}
_COMPARE = {
    ">=": "paling kecil",
    "<=": "paling besar",
    ">": "harus lebih dari",
    "<": "harus kurang dari",
}
DATE_FORMAT = "format YYYY-MM-DD, contoh 2026-12-07"
DATETIME_FORMAT = "format RFC 3339 dengan zona waktu, contoh 2026-12-07T08:00:00+07:00"
TIME_FORMAT = "format JJ:MM:DD, contoh 08:00:00"


def _type_name(name: str) -> str:
    return _TYPES.get(name, name)


def _number(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


def _length(m: re.Match[str], _: Any) -> str:
    what, op, n = m.group(1), m.group(2), m.group(3)
    unit = {"str": "karakter", "array": "butir", "object": "entri", "bytes": "bita"}.get(what, "")
    bound = "minimal" if op.startswith(">") else "maksimal"
    return f"panjang {bound} {n} {unit}".rstrip()


def _enum(m: re.Match[str], allowed: list[str] | None) -> str:
    text = f"nilai {m.group(1)} tidak dikenal"
    if allowed:
        text += "; pilih salah satu: " + ", ".join(allowed)
    return text


def _expected(m: re.Match[str], allowed: list[str] | None) -> str:
    text = f"harus berupa {_type_name(m.group(1))}, bukan {_type_name(m.group(2))}"
    if allowed:
        text += "; pilih salah satu: " + ", ".join(allowed)
    return text


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Any], str]]
_RULES: list[_Rule] = [
    (re.compile(r"^Object missing required field `(.+)`$"), lambda m, _: "wajib diisi"),
    (re.compile(r"^Object contains unknown field `(.+)`$"), lambda m, _: "kolom tidak dikenal"),
    (re.compile(r"^Invalid enum value (.+)$"), _enum),
    (re.compile(r"^Expected `(\w+)`, got `(\w+)`$"), _expected),
    (re.compile(r"^Expected `(\w+)` of length (>=|<=) (\d+)$"), _length),
    (
        re.compile(r"^Expected `str` matching regex '(.*)'$"),
        lambda m, _: f"format tidak sesuai (pola {m.group(1)})",
    ),
    (
        re.compile(r"^Expected `(?:int|float|decimal)` (>=|<=|>|<) (\S+)$"),
        lambda m, _: f"{_COMPARE[m.group(1)]} {_number(m.group(2))}",
    ),
    (
        re.compile(r"^Expected `(?:int|float|decimal)` that is a multiple of (\S+)$"),
        lambda m, _: f"harus kelipatan {_number(m.group(1))}",
    ),
    (
        re.compile(r"^Invalid RFC3339 encoded date$"),
        lambda m, _: f"bukan tanggal yang sah; gunakan {DATE_FORMAT}",
    ),
    (
        re.compile(r"^Invalid RFC3339 encoded datetime$"),
        lambda m, _: f"bukan tanggal-waktu yang sah; gunakan {DATETIME_FORMAT}",
    ),
    (
        re.compile(r"^Invalid RFC3339 encoded time$"),
        lambda m, _: f"bukan jam yang sah; gunakan {TIME_FORMAT}",
    ),
    (
        re.compile(r"^Expected `(?:datetime|time)` with a timezone component$"),
        lambda m, _: "harus menyertakan zona waktu, contoh +07:00 atau Z",
    ),
    (
        re.compile(r"^Expected `(?:datetime|time)` with no timezone component$"),
        lambda m, _: "tidak boleh menyertakan zona waktu",
    ),
    (
        re.compile(r"^Invalid UUID$"),
        lambda m, _: "bukan UUID yang sah, contoh 3f2b8c1e-5d4a-4e7b-9c2d-1a2b3c4d5e6f",
    ),
    (re.compile(r"^Invalid decimal string$"), lambda m, _: "bukan angka desimal yang sah"),
    (re.compile(r"^Invalid base64 encoded string$"), lambda m, _: "bukan data base64 yang sah"),
    (re.compile(r"^Invalid ISO8601 duration$"), lambda m, _: "bukan durasi ISO 8601 yang sah"),
    (re.compile(r"^Input data was truncated$"), lambda m, _: "JSON tidak lengkap (terpotong)"),
    (
        re.compile(r"^JSON is malformed: .*\(byte (\d+)\)$"),
        lambda m, _: f"JSON tidak sah (rusak di bita ke-{m.group(1)})",
    ),
    (re.compile(r"^JSON is malformed"), lambda m, _: "JSON tidak sah"),
]

_OWN_FIELD = re.compile(r"^([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*): (.+)$", re.DOTALL)
_AT = re.compile(r"^(.*) - at `\$(.*)`$")


def split_location(message: str) -> tuple[str, str]:
    """msgspec's ``"<message> - at `$.a[0].b`"`` as ``("<message>", "a[0].b")``."""
    m = _AT.match(message)
    if not m:
        return message, ""
    return m.group(1), m.group(2).lstrip(".")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def translate(message: str, field_type: Any = None, path: str = "") -> tuple[str, str]:
    """One msgspec message (without its location) as ``(field, Indonesian message)``.

    ``path`` is where msgspec reported it; for a missing or unknown field the field itself is
    appended, so the client reads ``modules`` rather than ``data``. ``field_type`` (the type
    the root of ``path`` was decoded as) lets enum errors list the allowed values. A message
    no rule knows (a ``__post_init__`` rule's own Indonesian text) is kept as it is.
    """
    for pattern, render in _RULES:
        m = pattern.match(message)
        if not m:
            continue
        field = path
        if pattern.pattern.startswith("^Object "):
            field = _join(path, m.group(1))
        allowed = allowed_values(field_type, path) if field_type is not None else None
        return field, render(m, allowed)
    # A ``__post_init__`` rule names its field by convention: "end_date: tidak boleh ...".
    own = _OWN_FIELD.match(message)
    if own:
        return _join(path, own.group(1)), own.group(2)
    return path, message


def describe(message: str, field_type: Any = None, prefix: str = "") -> dict[str, str]:
    """A whole msgspec message (with its ``- at `$...``` tail) as ``{field, message}``.

    ``prefix`` is prepended to the reported path (the parameter's name for query values).
    """
    text, where = split_location(message)
    field, translated = translate(text, field_type, where)
    if prefix:
        field = _join(prefix, field) if field else prefix
    return {"field": field, "message": translated}


def summary(errors: list[dict[str, str]]) -> str:
    """A one-line Indonesian detail naming the first problem (and how many more)."""
    if not errors:
        return "Data yang dikirim tidak valid."
    first = errors[0]
    where = f"`{first['field']}` " if first.get("field") else ""
    more = f" (dan {len(errors) - 1} kesalahan lain)" if len(errors) > 1 else ""
    return f"Data yang dikirim tidak valid: {where}{first['message']}{more}."


def error_text(exc: Exception, type_: Any = None) -> str:
    """An exception's message for people: a msgspec ``ValidationError`` translated with its
    field named (``"`nip` format tidak sesuai ..."``), any other (a rule's own Indonesian
    ``ValueError``) as it is."""
    if not isinstance(exc, msgspec.ValidationError):
        return str(exc)
    error = describe(str(exc), type_)
    return f"`{error['field']}` {error['message']}" if error["field"] else error["message"]


def convert_or_400(value: Any, type_: type[Any]) -> Any:
    """``msgspec.convert`` whose error is a ``BadRequest`` with an Indonesian, named field."""
    from lms.shared.errors import BadRequest

    try:
        return msgspec.convert(value, type_)
    except msgspec.ValidationError as exc:
        errors = [describe(str(exc), type_)]
        raise BadRequest(summary(errors), errors=errors) from None


# ---- allowed values of an enum or literal at a path --------------------------------------

_TOKEN = re.compile(r"\[[^\]]*\]|[^.\[\]]+")


def _options(info: mi.Type) -> list[mi.Type]:
    while isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.UnionType):
        out: list[mi.Type] = []
        for option in info.types:
            out.extend(_options(option))
        return out
    return [info]


def _step(info: mi.Type, token: str) -> list[mi.Type]:
    out: list[mi.Type] = []
    for option in _options(info):
        if token.startswith("["):
            if isinstance(option, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
                out.append(option.item_type)
            elif isinstance(option, mi.DictType):
                out.append(option.value_type)
            elif isinstance(option, mi.TupleType):
                index = token[1:-1]
                if index.isdigit() and int(index) < len(option.item_types):
                    out.append(option.item_types[int(index)])
        elif isinstance(option, (mi.StructType, mi.DataclassType, mi.TypedDictType)):
            for field in option.fields:
                if field.encode_name == token:
                    out.append(field.type)
    return out


def allowed_values(root: Any, path: str) -> list[str] | None:
    """The values an enum or ``Literal`` at ``path`` of ``root`` accepts, if it is one."""
    try:
        current = [mi.type_info(root)]
    except (TypeError, ValueError):
        return None
    for token in _TOKEN.findall(path):
        current = [t for info in current for t in _step(info, token)]
    values: list[str] = []
    for info in current:
        for option in _options(info):
            if isinstance(option, mi.LiteralType):
                values.extend(str(v) for v in option.values)
            elif isinstance(option, mi.EnumType):
                values.extend(str(_enum_value(m)) for m in option.cls)
    return list(dict.fromkeys(values)) or None


def _enum_value(member: enum.Enum) -> Any:
    return member.value
