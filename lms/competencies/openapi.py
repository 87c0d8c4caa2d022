"""OpenAPI details of report routes that answer either JSON or a file (``?format=``).

Why: such a handler is annotated with its JSON Struct (so the document describes the JSON
exactly) and returns a ``Response`` with a file for the other formats. Litestar documents
only the Struct's ``application/json``; the operation class made here adds the file's media
type to the 200 response, so clients and the fuzz test know both answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, Schema


def with_file_alternative(*media_types: str) -> type[Operation]:
    """An ``operation_class`` whose 200 response also lists these file media types."""

    @dataclass
    class FileAlternativeOperation(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            content = getattr(ok, "content", None)
            if ok is None or content is None:
                return
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            for media_type in media_types:
                content[media_type] = OpenAPIMediaType(schema=binary)

    return FileAlternativeOperation
