"""Errors of the business rules; the API layer decides their HTTP status."""


class DomainError(Exception):
    """Base class of the errors that services raise for callers to handle."""


class NotFoundError(DomainError):
    """The requested resource does not exist."""

    def __init__(self, resource: str, identifier: object) -> None:
        super().__init__(f"{resource} {identifier} not found")


class ConflictError(DomainError):
    """The change would break a uniqueness rule."""
