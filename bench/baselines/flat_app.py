"""The throughput baseline for the item endpoints: the same queries, hand-written flat.

One function per endpoint, no layers: session, query and response in one place.
"""

import os

from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import String, func, select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

engine = create_async_engine(os.environ["DATABASE_URL"])
session_factory = async_sessionmaker(engine, expire_on_commit=False)
app = FastAPI()


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(1000))
    quantity: Mapped[int]


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    quantity: int


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/v1/items/{item_id}")
async def read_item(item_id: int) -> ItemRead:
    async with session_factory() as session:
        item = await session.get(Item, item_id)
    if item is None:
        raise HTTPException(status_code=404)
    return ItemRead.model_validate(item)


@app.get("/api/v1/items")
async def list_items(offset: int = 0, limit: int = Query(20, le=100)) -> dict[str, object]:
    async with session_factory() as session:
        query = select(Item).order_by(Item.id).offset(offset).limit(limit)
        items = (await session.scalars(query)).all()
        total = await session.scalar(select(func.count()).select_from(Item))
    return {
        "items": [ItemRead.model_validate(item) for item in items],
        "total": total,
        "offset": offset,
        "limit": limit,
    }
