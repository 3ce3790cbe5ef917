from app.crud.items import ItemRepository
from app.schemas.items import ItemUpdate
from tests.factories import item_create


async def test_create_stores_the_item_under_a_new_id(
    item_repository: ItemRepository,
) -> None:
    first = await item_repository.create(item_create(name="Lamp"))
    second = await item_repository.create(item_create(name="Desk"))

    assert second.id > first.id
    assert await item_repository.get(first.id) == first


async def test_get_by_name(item_repository: ItemRepository) -> None:
    lamp = await item_repository.create(item_create(name="Lamp"))

    assert await item_repository.get_by_name("Lamp") == lamp
    assert await item_repository.get_by_name("Chair") is None


async def test_list_page_orders_by_id_and_slices(
    item_repository: ItemRepository,
) -> None:
    created = [await item_repository.create(item_create()) for _ in range(4)]

    page = await item_repository.list_page(offset=1, limit=2)

    assert [item.id for item in page] == [item.id for item in created[1:3]]
    assert await item_repository.count() == 4


async def test_update_writes_only_the_fields_set(
    item_repository: ItemRepository,
) -> None:
    item = await item_repository.create(item_create(description="Old", quantity=1))

    await item_repository.update(item, ItemUpdate(description=None))

    stored = await item_repository.get(item.id)
    assert stored is not None
    assert (stored.description, stored.quantity) == (None, 1)


async def test_delete(item_repository: ItemRepository) -> None:
    item = await item_repository.create(item_create())

    await item_repository.delete(item)

    assert await item_repository.get(item.id) is None
