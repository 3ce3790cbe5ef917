from typing import Any

from httpx import AsyncClient

from tests.factories import item_create


async def post_item(client: AsyncClient, **fields: object) -> dict[str, Any]:
    response = await client.post("/items", json=item_create(**fields).model_dump())
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_create_item(client: AsyncClient) -> None:
    response = await client.post("/items", json={"name": "Lamp", "quantity": 2})

    assert response.status_code == 201
    body = response.json()
    assert isinstance(body["id"], int)
    assert body == {
        "id": body["id"],
        "name": "Lamp",
        "description": None,
        "quantity": 2,
    }


async def test_create_item_with_taken_name_is_a_conflict(client: AsyncClient) -> None:
    await post_item(client, name="Lamp")

    response = await client.post("/items", json={"name": "Lamp"})

    assert response.status_code == 409
    assert response.json() == {"detail": "an item named 'Lamp' already exists"}


async def test_create_item_rejects_unknown_fields(client: AsyncClient) -> None:
    response = await client.post("/items", json={"name": "Lamp", "colour": "red"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "colour"]


async def test_create_item_rejects_blank_name(client: AsyncClient) -> None:
    response = await client.post("/items", json={"name": "   "})

    assert response.status_code == 422


async def test_read_item(client: AsyncClient) -> None:
    item = await post_item(client)

    response = await client.get(f"/items/{item['id']}")

    assert response.status_code == 200
    assert response.json() == item


async def test_read_item_missing_is_not_found(client: AsyncClient) -> None:
    response = await client.get("/items/999999")

    assert response.status_code == 404
    assert response.json() == {"detail": "Item 999999 not found"}


async def test_list_items_pages_in_id_order(client: AsyncClient) -> None:
    created = [await post_item(client) for _ in range(3)]

    response = await client.get("/items", params={"offset": 1, "limit": 1})

    assert response.status_code == 200
    assert response.json() == {
        "items": [created[1]],
        "total": 3,
        "offset": 1,
        "limit": 1,
    }


async def test_list_items_caps_the_page_size(client: AsyncClient) -> None:
    response = await client.get("/items", params={"limit": 101})

    assert response.status_code == 422


async def test_update_item_changes_only_given_fields(client: AsyncClient) -> None:
    item = await post_item(client, quantity=1)

    response = await client.patch(f"/items/{item['id']}", json={"quantity": 5})

    assert response.status_code == 200
    assert response.json() == item | {"quantity": 5}


async def test_update_item_rejects_null_name(client: AsyncClient) -> None:
    item = await post_item(client)

    response = await client.patch(f"/items/{item['id']}", json={"name": None})

    assert response.status_code == 422


async def test_update_item_to_taken_name_is_a_conflict(client: AsyncClient) -> None:
    await post_item(client, name="Lamp")
    item = await post_item(client, name="Desk")

    response = await client.patch(f"/items/{item['id']}", json={"name": "Lamp"})

    assert response.status_code == 409


async def test_delete_item(client: AsyncClient) -> None:
    item = await post_item(client)

    response = await client.delete(f"/items/{item['id']}")

    assert response.status_code == 204
    assert (await client.get(f"/items/{item['id']}")).status_code == 404


async def test_delete_item_missing_is_not_found(client: AsyncClient) -> None:
    response = await client.delete("/items/999999")

    assert response.status_code == 404
