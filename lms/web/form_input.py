"""Reading a page's form into the API's input Structs, and a service's errors back onto the
form's fields: the pages then call the very services (and checks) the API uses.

A form sends strings; ``msgspec.convert(..., strict=False)`` turns "30" into 30 and "on" into
nothing (a checkbox is read with :func:`checked`). Empty fields are left out so the Struct's
defaults apply, as an API client that omits them would get.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from lms.shared.errors import DomainError
from lms.shared.validation import describe

T = TypeVar("T")

#: The key of an error that belongs to no field (shown on top of the form).
GENERAL = "_"
REQUIRED = "wajib diisi"


async def form_values(request: Any) -> dict[str, str]:
    """The submitted fields as stripped strings (files and the CSRF token left out)."""
    form = await request.form()
    values: dict[str, str] = {}
    for key, value in form.multi_items():
        if key == "_csrf_token" or not isinstance(value, str):
            continue
        values[key] = value.strip()
    return values


def checked(values: dict[str, str], name: str) -> bool:
    """A checkbox: present (any value) means ticked."""
    return name in values


def to_struct(values: dict[str, Any], type_: type[T]) -> tuple[T | None, dict[str, str]]:
    """``values`` (empty strings dropped) as ``type_``, or ``None`` and ``{field: message}``
    in Indonesian: every empty required field, else the first problem msgspec reports."""
    data = {k: v for k, v in values.items() if v != ""}
    missing = {
        f.encode_name: REQUIRED
        for f in msgspec.structs.fields(type_)  # type: ignore[arg-type]
        if f.required and f.encode_name not in data
    }
    if missing:
        return None, missing
    try:
        return msgspec.convert(data, type_, strict=False), {}
    except msgspec.ValidationError as exc:
        error = describe(str(exc), type_)
        return None, {error["field"].split(".")[0] or GENERAL: error["message"]}


def domain_errors(exc: DomainError) -> dict[str, str]:
    """A service's error as ``{field: message}``: each listed field error beside its field,
    and the detail on top."""
    errors: dict[str, str] = {GENERAL: exc.detail}
    for item in exc.errors or []:
        field = str(item.get("field") or "").split(".")[0].split("[")[0]
        if field and field not in errors:
            errors[field] = str(item.get("message") or "")
    return errors
