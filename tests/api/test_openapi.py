"""The API is documented by an OpenAPI schema and browsable docs served without a CDN."""

from django.test import Client


def test_openapi_schema_lists_the_endpoints(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths) >= {
        "/api/v1/agents/me",
        "/api/v1/agents/me/status",
        "/api/v1/agents/me/rejections",
        "/api/v1/agents/{username}",
        "/api/v1/agents/{username}/status",
        "/api/v1/agents/{username}/rejections",
    }
    schemas = response.json()["components"]["schemas"]
    assert set(schemas["ErrorOut"]["properties"]) == {"error", "detail"}
    assert "409" in paths["/api/v1/agents/me/status"]["post"]["responses"]


def test_the_schema_says_a_code_is_a_key_of_at_most_32_characters(db):
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    for schema in ("StatusIn", "RejectionIn"):
        code = schemas[schema]["properties"]["code"]
        assert {"type": "string", "maxLength": 32} in code["anyOf"]


def test_docs_page_loads_its_assets_locally(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
