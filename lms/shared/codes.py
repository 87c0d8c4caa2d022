"""Verification codes people can read aloud and type: Crockford base32, grouped by four.

Why: the code is printed under the QR code and typed by whoever has only the paper (an HR
officer on the phone, a citizen at a service counter). The alphabet has no I, L, O or U, case
does not matter, and the lookup forgives what people do when they type: spaces or no dashes,
lower case, ``O`` for ``0`` and ``I``/``L`` for ``1``. 16 characters carry 80 random bits
(guessing one of 100,000 live codes at the verify rate limit takes longer than the universe).

Codes issued before (20 mixed-case ``token_urlsafe`` characters) stay valid: a lookup tries
the text exactly as given first, and only then its normalized form.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base32: digits and letters without I, L, O, U."""
CODE_BITS = 80
CODE_LENGTH = CODE_BITS // 5
GROUP = 4

_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐-―_.]+")  # spaces, every dash, underscores, dots


def new_verification_code() -> str:
    """A fresh random code, e.g. ``K7QM-2XW9-RT4H-BP3N`` (80 bits)."""
    value = secrets.randbits(CODE_BITS)
    chars = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(CODE_LENGTH - 1, -1, -1))
    return _grouped(chars)


def normalize_code(text: str) -> str | None:
    """The stored form of a typed code, or ``None`` when ``text`` cannot be one.

    ``" k7qm 2xw9-rt4h bp3n "`` and ``"K7QM2XW9RT4HBP3N"`` give ``"K7QM-2XW9-RT4H-BP3N"``;
    ``O`` reads as ``0`` and ``I``/``L`` as ``1``.
    """
    compact = _SEPARATORS.sub("", text).upper().translate(_LOOK_ALIKES)
    if len(compact) != CODE_LENGTH or any(char not in ALPHABET for char in compact):
        return None
    return _grouped(compact)


def lookup_forms(text: str) -> list[str]:
    """What to look a typed code up as, in order: the text as given (so every code issued
    before still verifies exactly), then its normalized form when that differs."""
    forms = [text]
    normalized = normalize_code(text)
    if normalized is not None and normalized != text:
        forms.append(normalized)
    return forms


def _grouped(chars: str) -> str:
    return "-".join(chars[i : i + GROUP] for i in range(0, len(chars), GROUP))
