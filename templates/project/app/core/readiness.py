"""Readiness: whether the parts the app needs (its database, Redis) answer now."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

logger = logging.getLogger(__name__)

Check = Callable[[], Awaitable[object]]  # raises, or times out, when its part is down


@dataclass(frozen=True)
class ReadinessProbe:
    """The checks of the parts the app needs, by name, and how long each may take."""

    checks: Mapping[str, Check]
    timeout_seconds: float

    async def failing_parts(self) -> set[str]:
        """Run every check at once; name those that failed or did not answer in time."""
        names = list(self.checks)
        results = await asyncio.gather(*(self._fails(name) for name in names))
        return {name for name, failed in zip(names, results, strict=True) if failed}

    async def _fails(self, name: str) -> bool:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await self.checks[name]()
        except Exception as error:  # whatever the failure, the part is not ready
            logger.warning("readiness: %s is failing: %r", name, error)
            return True
        return False
