"""Piccolo query strings compiled to SQLite's ``?`` form, with the parsing cached.

Separate from :mod:`lms.db.sqlite.engine` because it needs no connection: it is the pure text step
before a statement reaches one. :func:`compile_sqlite` is a cached equivalent of Piccolo's
``compile_string`` that costs a third of it, and :func:`qmark_sql` turns the engine's fixed
``fetch`` templates into SQL once.
"""

from __future__ import annotations

import functools
from string import Formatter
from typing import Any

from piccolo.querystring import QueryString

__all__ = ["compile_sqlite"]


@functools.lru_cache(maxsize=4096)
def _template_prefixes(template: str) -> tuple[str, ...]:
    """The literal text before each ``{}`` of a template (Piccolo's own parse, cached)."""
    return tuple(literal for literal, *_ in Formatter().parse(template))


@functools.lru_cache(maxsize=256)
def qmark_sql(template: str) -> str:
    """A ``{}`` template as SQLite's ``?`` form (``{{``/``}}`` are literal braces)."""
    return "".join(
        literal if field is None else literal + "?"
        for literal, field, *_ in Formatter().parse(template)
    )


def compile_sqlite(querystring: QueryString) -> tuple[str, list[Any]]:
    """``querystring.compile_string("sqlite")``, about three times faster.

    Why: Piccolo builds a ``Fragment`` dataclass per placeholder and re-parses every template on
    every query; that was a fifth of a lookup's cost through this engine. Same walk, same
    output (tests compare both on many queries): templates' literal parts are parsed once and
    cached, nested query strings are inlined, other arguments become ``?`` parameters.
    """
    frozen = querystring._frozen_compiled_strings
    if frozen is not None:
        return frozen
    parts: list[str] = []
    args: list[Any] = []

    def walk(node: QueryString) -> None:
        node_args = node.args
        count = len(node_args)
        for index, prefix in enumerate(_template_prefixes(node.template)):
            parts.append(prefix)
            if index < count:
                value = node_args[index]
                if isinstance(value, QueryString):
                    walk(value)
                else:
                    parts.append("?")
                    args.append(value)

    walk(querystring)
    return "".join(parts), args
