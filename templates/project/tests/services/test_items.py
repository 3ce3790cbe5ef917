import pytest

from app.crud.items import ItemRepository
from app.schemas.items import ItemUpdate
from app.services.errors import ConflictError, NotFoundError
from app.services.items import ItemService
from tests.factories import item_create


@pytest.fixture
def service(item_repository: ItemRepository) -> ItemService:
    return ItemService(item_repository)


async def test_create_item_rejects_a_taken_name(service: ItemService) -> None:
    await service.create(item_create(name="Lamp"))

    with pytest.raises(ConflictError, match="Lamp"):
        await service.create(item_create(name="Lamp"))


async def test_get_missing_item_raises_not_found(service: ItemService) -> None:
    with pytest.raises(NotFoundError, match="Item 42 not found"):
        await service.get(42)


async def test_update_item_keeps_fields_left_out(service: ItemService) -> None:
    item = await service.create(item_create(name="Lamp", quantity=1))

    updated = await service.update(item.id, ItemUpdate(quantity=4))

    assert (updated.name, updated.quantity) == ("Lamp", 4)


async def test_update_item_may_keep_its_own_name(service: ItemService) -> None:
    item = await service.create(item_create(name="Lamp"))

    updated = await service.update(item.id, ItemUpdate(name="Lamp", quantity=9))

    assert updated.quantity == 9


async def test_update_item_rejects_a_taken_name(service: ItemService) -> None:
    await service.create(item_create(name="Lamp"))
    desk = await service.create(item_create(name="Desk"))

    with pytest.raises(ConflictError):
        await service.update(desk.id, ItemUpdate(name="Lamp"))


async def test_delete_item_removes_it(service: ItemService) -> None:
    item = await service.create(item_create())

    await service.delete(item.id)

    with pytest.raises(NotFoundError):
        await service.get(item.id)


async def test_list_page_returns_the_total_of_all_items(service: ItemService) -> None:
    for _ in range(3):
        await service.create(item_create())

    items, total = await service.list_page(offset=0, limit=2)

    assert (len(items), total) == (2, 3)
