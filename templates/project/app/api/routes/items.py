"""HTTP endpoints for items: each adapts a request to one service call."""

from fastapi import APIRouter, status

from app.api.deps import ItemServiceDep, PageQueryDep
from app.schemas.items import ItemCreate, ItemRead, ItemUpdate
from app.schemas.pagination import Page

router = APIRouter(prefix="/items", tags=["items"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_item(data: ItemCreate, service: ItemServiceDep) -> ItemRead:
    """Create an item; 409 if the name is taken."""
    return ItemRead.model_validate(await service.create(data))


@router.get("")
async def list_items(query: PageQueryDep, service: ItemServiceDep) -> Page[ItemRead]:
    """List items by id, one page at a time."""
    items, total = await service.list_page(offset=query.offset, limit=query.limit)
    return Page[ItemRead].model_validate(
        {"items": items, "total": total, "offset": query.offset, "limit": query.limit},
        from_attributes=True,
    )


@router.get("/{item_id}")
async def read_item(item_id: int, service: ItemServiceDep) -> ItemRead:
    """Return one item; 404 if there is none with this id."""
    return ItemRead.model_validate(await service.get(item_id))


@router.patch("/{item_id}")
async def update_item(
    item_id: int, changes: ItemUpdate, service: ItemServiceDep
) -> ItemRead:
    """Change the given fields of an item; 404 if missing, 409 if the name is taken."""
    return ItemRead.model_validate(await service.update(item_id, changes))


@router.delete("/{item_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_item(item_id: int, service: ItemServiceDep) -> None:
    """Delete an item; 404 if there is none with this id."""
    await service.delete(item_id)
