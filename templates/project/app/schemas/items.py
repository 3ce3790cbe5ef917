"""The shapes in which items enter and leave the API."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

Name = Annotated[str, Field(min_length=1, max_length=100)]
Description = Annotated[str, Field(max_length=1000)]
Quantity = Annotated[int, Field(ge=0)]


class ItemCreate(BaseModel):
    """What a client sends to create an item."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name
    description: Description | None = None
    quantity: Quantity = 0


class ItemUpdate(BaseModel):
    """The fields to change; those left out keep their value."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Name | None = None
    description: Description | None = None
    quantity: Quantity | None = None

    @field_validator("name", "quantity")
    @classmethod
    def reject_null(cls, value: object) -> object:
        """Allow leaving a required field out, but not setting it to null."""
        if value is None:
            raise ValueError("may be left out but not set to null")
        return value


class ItemRead(BaseModel):
    """An item as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None
    quantity: int
