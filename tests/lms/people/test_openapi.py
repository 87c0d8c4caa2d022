"""Problem responses in the OpenAPI document."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.params import FromQuery

from lms.shared.openapi import document_problems, problem_responses


async def test_people_routes_document_their_problems(client):
    spec = (await client.get("/schema/openapi.json")).json()
    get_person = spec["paths"]["/api/v1/people/{person_id}"]["get"]["responses"]
    # every operation documents the problems any route can answer (lms.shared.openapi)
    assert {"200", "400", "401", "403", "404", "409", "413", "422", "429"} <= set(get_person)
    assert list(get_person["400"]["content"]) == ["application/problem+json"]
    assert list(get_person["404"]["content"]) == ["application/problem+json"]
    create = spec["paths"]["/api/v1/people"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "422"} <= set(create)
    problem = spec["components"]["schemas"][
        create["422"]["content"]["application/problem+json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    ]
    assert problem["required"] == ["detail", "status", "title", "type"]
    imported = spec["paths"]["/api/v1/people/import"]["post"]
    assert "413" in imported["responses"]
    assert "multipart/form-data" in imported["requestBody"]["content"]


def _app() -> Litestar:
    @get("/public", security=[], sync_to_thread=False)
    def public(n: FromQuery[int] = 1) -> dict[str, int]:
        return {"n": n}

    @get("/private", sync_to_thread=False, responses=problem_responses(404))
    def private(n: FromQuery[int] = 1) -> dict[str, int]:
        return {"n": n}

    return Litestar(
        [public, private],
        openapi_config=OpenAPIConfig(
            title="t",
            version="1",
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"BearerToken": []}],
        ),
    )


def test_document_problems_rewrites_litestar_errors_and_adds_401():
    app = _app()
    document_problems(app.openapi_schema, public_paths=["^/public$"])
    spec = app.openapi_schema.to_schema()
    public = spec["paths"]["/public"]["get"]["responses"]
    private = spec["paths"]["/private"]["get"]["responses"]
    # Litestar's own {status_code, detail} 400 becomes a problem
    assert list(public["400"]["content"]) == ["application/problem+json"]
    assert public["400"]["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    # no token needed, and the document says so (401 stays documented: a login answers it)
    assert spec["paths"]["/public"]["get"]["security"] == []
    assert "security" not in spec["paths"]["/private"]["get"]  # the global bearer requirement
    assert {"200", "400", "401", "404", "422"} <= set(private)
    assert list(private["401"]["content"]) == ["application/problem+json"]
