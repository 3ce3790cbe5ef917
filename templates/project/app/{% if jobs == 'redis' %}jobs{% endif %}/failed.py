"""Jobs that failed for good, kept in Redis for a while for people to look at."""

import logging
import time
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import BaseModel
from redis.asyncio import Redis
from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult

logger = logging.getLogger(__name__)

SECONDS_PER_DAY = 24 * 60 * 60


class FailedJob(BaseModel):
    """A job whose last attempt failed, and why."""

    id: str
    name: str
    arguments: dict[str, Any]
    error: str
    request_id: str | None
    failed_at: datetime


class FailedJobs:
    """Failed jobs in a Redis sorted set, by time of failure, kept for `keep_days`."""

    def __init__(self, redis: Redis, *, key: str, keep_days: float) -> None:
        self._redis = redis
        self._key = key
        self._keep_seconds = keep_days * SECONDS_PER_DAY

    async def record(self, job: FailedJob) -> None:
        await self._redis.zadd(
            self._key, {job.model_dump_json(): job.failed_at.timestamp()}
        )

    async def newest(self, limit: int = 100) -> list[FailedJob]:
        """The latest failures, newest first."""
        entries = cast(list[str], await self._redis.zrevrange(self._key, 0, limit - 1))
        return [FailedJob.model_validate_json(entry) for entry in entries]

    async def prune(self) -> int:
        """Forget the failures older than the days kept; return how many there were."""
        oldest_kept = time.time() - self._keep_seconds
        removed: int = await self._redis.zremrangebyscore(
            self._key, "-inf", oldest_kept
        )
        return removed

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


class RecordFailures(TaskiqMiddleware):
    """Records each job whose last attempt failed (retried attempts save no result)."""

    def __init__(self, failed: FailedJobs) -> None:
        super().__init__()
        self._failed = failed

    async def post_save(
        self, message: TaskiqMessage, result: TaskiqResult[Any]
    ) -> None:
        if not result.is_err:
            return
        job = FailedJob(
            id=message.task_id,
            name=message.task_name,
            arguments=message.kwargs,
            error=f"{type(result.error).__name__}: {result.error}",
            request_id=message.labels.get("request_id"),
            failed_at=datetime.now(UTC),
        )
        logger.error("job %s (%s) failed for good: %s", job.name, job.id, job.error)
        await self._failed.record(job)
