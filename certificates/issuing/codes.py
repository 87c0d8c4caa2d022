"""Verification codes: they live in :mod:`lms.shared.codes` (transcripts print them too)."""

from lms.shared.codes import (
    ALPHABET,
    CODE_BITS,
    CODE_LENGTH,
    GROUP,
    lookup_forms,
    new_verification_code,
    normalize_code,
)

__all__ = [
    "ALPHABET",
    "CODE_BITS",
    "CODE_LENGTH",
    "GROUP",
    "lookup_forms",
    "new_verification_code",
    "normalize_code",
]
