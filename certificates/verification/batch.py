"""HR's batch check: many certificate numbers or codes at once, typed or from a CSV/XLSX file.

An item may be a certificate number, a verification code or a whole verify URL (a scanned QR
code pasted into a spreadsheet). Reading the input (the file's column, what to look up for each
item) and building the rows live here; the lookup itself and each row's answer come from
``certificates.verification.service``, so a batch row says exactly what the public answer would,
plus
the whole NIP within HR's unit scope.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from certificates.issuing.codes import lookup_forms
from certificates.verification.schemas import BatchRow, VerifyBatchRead
from certificates.verification.service import VerificationService, _is_plain_text, nip_display
from lms.auth.caller import Caller
from lms.shared.errors import BadRequest, PayloadTooLarge
from lms.shared.tabular import FileTooLarge, TabularError, TooManyRows, read_table

#: HR may check at most this many numbers or codes in one batch (413 above).
MAX_BATCH_ITEMS = 5000
#: Column names HR files use for the number or code; otherwise the first column is read.
BATCH_COLUMNS = ("nomor", "nomor_sertifikat", "number", "kode", "kode_verifikasi", "code")
_MAX_ITEM_LENGTH = 255
_VERIFY_MARK = re.compile(r"/verify/([^/?#\s]+)")


async def check_batch(
    service: VerificationService, caller: Caller, items: Sequence[str]
) -> VerifyBatchRead:
    """Check many numbers or codes; one row per item, in order, duplicates included.

    The NIP is shown whole when the certificate was issued within the caller's unit scope,
    masked otherwise.

    Raises:
        PayloadTooLarge: more than 5,000 items.
    """
    if len(items) > MAX_BATCH_ITEMS:
        raise PayloadTooLarge(
            f"Paling banyak {MAX_BATCH_ITEMS} nomor atau kode per pemeriksaan; "
            f"diterima {len(items)}"
        )
    keys = [_lookup_key(item) for item in items]
    forms = {key: lookup_forms(key) for key in keys if key}
    rows = await service.rows_for(sorted({form for each in forms.values() for form in each}))
    by_number = {row["number"]: row for row in rows}
    by_code = {row["code"]: row for row in rows}
    checked_at = dt.datetime.now(dt.UTC)
    out: list[BatchRow] = []
    for item, key in zip(items, keys, strict=True):
        row = None
        if key:
            # A number first, then the code exactly as given, then its normalized form.
            row = by_number.get(key) or next(
                (by_code[form] for form in forms[key] if form in by_code), None
            )
        out.append(_batch_row(service, caller, item, row, checked_at))
    return VerifyBatchRead(
        items=out,
        total=len(out),
        found=sum(1 for row in out if row.found),
        checked_at=checked_at,
    )


def _batch_row(
    service: VerificationService,
    caller: Caller,
    item: str,
    row: dict[str, Any] | None,
    checked_at: dt.datetime,
) -> BatchRow:
    if row is None:
        return BatchRow(input=item, found=False)
    read = service.read(row, checked_at)
    in_scope = caller.sees_unit(row["unit_path"])
    return BatchRow(
        input=item,
        found=True,
        status=read.status,
        status_label=read.status_label,
        certificate_id=_as_uuid(row["id"]) if in_scope else None,
        number=read.number,
        verify_url=read.verify_url,
        holder_name=read.holder.name,
        nip=nip_display(row) if in_scope else read.holder.nip,
        course=read.course,
        jp=read.jp,
        issued_at=read.issued_at,
        valid_until=read.valid_until,
        superseded_by=read.superseded_by,
    )


def _as_uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _lookup_key(item: str) -> str:
    """What to look up for one batch item: the text itself, or the code of a pasted URL."""
    text = item.strip()
    if len(text) > _MAX_ITEM_LENGTH or not _is_plain_text(text):
        return ""
    found = _VERIFY_MARK.search(text)
    return found.group(1) if found else text


def items_from_upload(data: bytes, filename: str, *, max_bytes: int) -> list[str]:
    """Read the numbers or codes of an uploaded CSV/XLSX for a batch check.

    The column named nomor/number/kode/code (or a close variant in ``BATCH_COLUMNS``) is read;
    without one, the first column. The first non-empty row is the header.

    Raises:
        PayloadTooLarge: the file is too large or has more than 5,000 data rows.
        BadRequest: not a readable CSV/XLSX, or no data rows.
    """
    try:
        table = read_table(data, filename, max_rows=MAX_BATCH_ITEMS, max_bytes=max_bytes)
    except (FileTooLarge, TooManyRows) as exc:
        raise PayloadTooLarge(str(exc)) from None
    except TabularError as exc:
        raise BadRequest(str(exc), errors=[{"field": "file", "message": str(exc)}]) from None
    column = next((name for name in BATCH_COLUMNS if name in table.headers), table.headers[0])
    return [row.get(column) for row in table.rows if row.get(column)]
