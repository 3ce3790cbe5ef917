"""The query parameters and the response shape shared by every paginated list."""

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from app.core.types import INT32_MAX

MAX_PAGE_SIZE = 100

RowT = TypeVar("RowT")


class PageQuery(BaseModel):
    """Which slice of a list to return; the page size is capped."""

    offset: int = Field(default=0, ge=0, le=INT32_MAX)
    limit: int = Field(default=20, ge=1, le=MAX_PAGE_SIZE)


class Page(BaseModel, Generic[RowT]):
    """One page of a list and the total number of rows it is taken from."""

    items: list[RowT]
    total: int
    offset: int
    limit: int
