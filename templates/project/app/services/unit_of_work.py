"""The port through which a service makes the changes of a use case permanent."""

from typing import Protocol


class UnitOfWork(Protocol):
    """Commits what a use case changed, all together: a database session does."""

    async def commit(self) -> None: ...
