"""Business rules for items: no HTTP here, and storage is left to the repository."""

from collections.abc import Sequence

from app.crud.items import ItemRepository
from app.models.item import Item
from app.schemas.items import ItemCreate, ItemUpdate
from app.services.errors import ConflictError, NotFoundError


class ItemService:
    """Create, read, list, update and delete items, keeping item names unique."""

    def __init__(self, repository: ItemRepository) -> None:
        self._repository = repository

    async def get(self, item_id: int) -> Item:
        """Return the item with this id, or raise NotFoundError."""
        item = await self._repository.get(item_id)
        if item is None:
            raise NotFoundError("Item", item_id)
        return item

    async def list_page(self, *, offset: int, limit: int) -> tuple[Sequence[Item], int]:
        """Return one page of items, ordered by id, and the total number of items."""
        items = await self._repository.list_page(offset=offset, limit=limit)
        return items, await self._repository.count()

    async def create(self, data: ItemCreate) -> Item:
        """Create an item, or raise ConflictError if its name is taken."""
        await self._ensure_name_is_free(data.name)
        return await self._repository.create(data)

    async def update(self, item_id: int, changes: ItemUpdate) -> Item:
        """Apply the fields set in `changes`, keeping names unique."""
        item = await self.get(item_id)
        if changes.name is not None and changes.name != item.name:
            await self._ensure_name_is_free(changes.name)
        return await self._repository.update(item, changes)

    async def delete(self, item_id: int) -> None:
        """Delete the item with this id, or raise NotFoundError."""
        await self._repository.delete(await self.get(item_id))

    async def _ensure_name_is_free(self, name: str) -> None:
        if await self._repository.get_by_name(name) is not None:
            raise ConflictError(f"an item named {name!r} already exists")
