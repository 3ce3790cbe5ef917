"""Errors of the business rules; the API layer decides their HTTP status."""


class DomainError(Exception):
    """Base class of the errors that services raise for callers to handle."""


class NotFoundError(DomainError):
    """The requested row does not exist."""

    def __init__(self, resource: str, identifier: object) -> None:
        super().__init__(f"{resource} {identifier} not found")


class ConflictError(DomainError):
    """The change would break a rule about other rows."""


class TakenError(ConflictError):
    """Another row already has this value of a unique field."""

    def __init__(self, field: str, value: object) -> None:
        shown = repr(value) if isinstance(value, str) else value
        super().__init__(f"{field} {shown} is taken")


class StillReferredToError(ConflictError):
    """Other rows refer to the row to delete; `referrers` names their columns."""

    def __init__(self, resource: str, identifier: object, referrers: list[str]) -> None:
        listed = ", ".join(referrers)
        super().__init__(f"{resource} {identifier} is still referred to by {listed}")


class CycleError(ConflictError):
    """The change would make a row its own ancestor, through `field`."""

    def __init__(self, field: str, value: object, resource: str, identifier: object):
        super().__init__(
            f"{field} {value} would make {resource} {identifier} its own ancestor"
        )
