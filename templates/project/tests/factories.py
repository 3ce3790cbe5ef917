"""Builders of valid test data: a test overrides only the fields it is about."""

from itertools import count

from app.schemas.items import ItemCreate

_numbers = count(1)


def item_create(**overrides: object) -> ItemCreate:
    """A valid ItemCreate with a unique name."""
    fields = {
        "name": f"item-{next(_numbers)}",
        "description": "In stock",
        "quantity": 3,
    }
    return ItemCreate.model_validate(fields | overrides)
