"""The HTTP surface that settings control: interactive docs, CORS and operation ids."""

from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from app.main import create_app


def client_of(config: Settings) -> AsyncClient:
    transport = ASGITransport(app=create_app(config))
    return AsyncClient(transport=transport, base_url="http://test")


async def test_the_docs_can_be_switched_off() -> None:
    async with client_of(Settings(api_docs=False)) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await client.get(path)).status_code == 404
        assert (await client.get("/health")).status_code == 200


async def test_only_the_configured_origins_may_call_from_a_browser() -> None:
    preflight = {"Access-Control-Request-Method": "GET"}
    async with client_of(Settings(cors_origins=["https://shop.example"])) as client:
        allowed = await client.options(
            "/health", headers=preflight | {"Origin": "https://shop.example"}
        )
        refused = await client.options(
            "/health", headers=preflight | {"Origin": "https://evil.example"}
        )

    assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
    assert "access-control-allow-origin" not in refused.headers


async def test_operations_are_named_after_their_functions() -> None:
    async with client_of(Settings()) as client:
        document = (await client.get("/openapi.json")).json()

    operation_ids = {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
    }
    assert "health" in operation_ids
