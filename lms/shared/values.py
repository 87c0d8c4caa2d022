"""Small values every app uses: the clock, and money-like numbers with two decimals.

One home so a rule reads the same clock everywhere (stored timestamps are UTC) and a stored
number comes back the same on both engines.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")


def utcnow() -> dt.datetime:
    """The current instant in UTC (every stored timestamp is UTC)."""
    return dt.datetime.now(dt.UTC)


def cents(value: Any) -> Decimal:
    """A stored number as a Decimal with exactly 2 decimals.

    SQLite hands ``Numeric`` columns through a float (``80`` comes back ``80.0``), PostgreSQL as
    a Decimal (``6.00``); going through ``str`` keeps a float's shortest form (``80.1``, not its
    binary expansion), and quantizing makes every response the same on both engines.
    """
    return Decimal(str(value)).quantize(CENT)
