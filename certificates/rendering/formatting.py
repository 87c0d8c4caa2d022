"""How a certificate prints its JP: with a decimal comma ("7,5") and in words (terbilang).

Everything else a certificate prints in Indonesian comes from the shared helpers: dates, month
names and Roman month numbers from ``lms.shared.indonesian`` (our own tables, never the system
locale, whose data differs between glibc/ICU versions: a certificate must print the same text on
every machine that ever re-renders it), NIP grouping from ``lms.people.nip`` and the pangkat line
from ``lms.people.golongan``. What stays here is only what a JP value needs on top of them.
"""

from decimal import Decimal

from lms.shared import indonesian


def terbilang(number: int | Decimal | str) -> str:
    """Spell a non-negative number in Indonesian words, e.g. 24 -> "dua puluh empat".

    Decimals read digit by digit after "koma" (7.5 -> "tujuh koma lima"), the way JP with a half
    hour are read aloud. Unlike ``lms.shared.indonesian.terbilang`` (whose words it uses), it
    takes the text of a number too and drops trailing zeros: a JP stored as ``24.00`` reads
    "dua puluh empat", not "... koma nol nol"; a negative JP is refused.
    """
    value = Decimal(str(number))
    if value < 0 or not value.is_finite():
        raise ValueError(f"terbilang needs a finite non-negative number, got {number!r}")
    return indonesian.terbilang(value.normalize())


def format_jp(jp: int | Decimal | str) -> str:
    """Return JP for print with an Indonesian decimal comma: 24 -> "24", 7.5 -> "7,5"."""
    value = Decimal(str(jp)).normalize()
    text = format(value, "f")
    return text.replace(".", ",")
