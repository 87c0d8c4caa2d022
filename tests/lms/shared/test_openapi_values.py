"""The built OpenAPI document holds plain JSON values (lms.shared.openapi.decimals_as_strings)."""

from __future__ import annotations

import json
from decimal import Decimal

import msgspec
from litestar import Litestar, post
from litestar.openapi import OpenAPIConfig
from litestar.params import JSONBody

from lms.shared.openapi import decimals_as_strings


class Item(msgspec.Struct):
    points: Decimal = Decimal(1)
    weight: Decimal = Decimal("0.50")


def test_decimal_defaults_become_the_strings_the_api_sends() -> None:
    @post("/items", sync_to_thread=False)
    def create(data: JSONBody[Item]) -> Item:
        return data

    app = Litestar([create], openapi_config=OpenAPIConfig(title="t", version="1"))
    served = msgspec.json.decode(msgspec.json.encode(app.openapi_schema.to_schema()))
    decimals_as_strings(app.openapi_schema)
    document = json.loads(json.dumps(app.openapi_schema.to_schema()))
    properties = document["components"]["schemas"]["Item"]["properties"]
    assert properties["points"] == {"type": "string", "default": "1"}
    assert properties["weight"] == {"type": "string", "default": "0.50"}
    assert document == served  # what /schema/openapi.json answered before, unchanged


async def test_the_app_document_is_plain_json(app) -> None:
    # The suite's app, not a new one: building an app points every table at a new database
    # engine, which would leave the shared app's PostgreSQL pool closed for the tests after.
    document = json.loads(json.dumps(app.openapi_schema.to_schema()))
    assert document["components"]["schemas"]["Essay"]["properties"]["points"]["default"] == "1"
