"""The job queue: jobs wait in a Redis stream until a worker has run them."""

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError
from taskiq import AsyncBroker, TaskiqMessage, TaskiqMiddleware
from taskiq.kicker import AsyncKicker
from taskiq.middlewares import SmartRetryMiddleware
from taskiq_redis import RedisStreamBroker

from app.core.config import Settings
from app.core.logs import request_id
from app.jobs.failed import FailedJobs, RecordFailures
from app.jobs.webhooks import WebhookSender
from app.services.publishing import DomainEvent

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

DELIVER_EVENT = "deliver_event"
PRUNE_FAILED_JOBS = "prune_failed_jobs"
MAX_RETRY_DELAY_SECONDS = 300
QUEUE_MAX_LENGTH = 100_000  # jobs already run are trimmed from the stream beyond this


@dataclass(frozen=True)
class Jobs:
    """This app's jobs: the broker they go through, the webhook, and the failures."""

    broker: AsyncBroker
    failed: FailedJobs
    webhooks: WebhookSender

    @classmethod
    def from_settings(
        cls, config: Settings, broker: AsyncBroker | None = None
    ) -> "Jobs":
        """The jobs of `config`, queued on its Redis unless `broker` is given."""
        redis = Redis.from_url(config.redis_url, decode_responses=True)
        failed = FailedJobs(
            redis,
            key=f"{config.jobs_queue}:failed",
            keep_days=config.failed_jobs_keep_days,
        )
        webhooks = WebhookSender(
            config.webhook_url, timeout=config.webhook_timeout_seconds
        )
        broker = broker or RedisStreamBroker(
            config.redis_url,
            queue_name=config.jobs_queue,
            consumer_group_name=f"{config.jobs_queue}:workers",
            consumer_id="0",  # a group made later still gets the jobs queued before
            maxlen=QUEUE_MAX_LENGTH,
        )
        broker.add_middlewares(
            CarryRequestId(),
            SmartRetryMiddleware(
                default_retry_count=config.job_max_attempts,
                default_retry_label=True,
                default_delay=config.job_retry_delay_seconds,
                use_jitter=True,
                use_delay_exponent=True,
                max_delay_exponent=MAX_RETRY_DELAY_SECONDS,
            ),
            WaitBeforeRetry(),
            RecordFailures(failed),
        )
        broker.register_task(_as_task(webhooks.deliver), DELIVER_EVENT)
        # Hourly. Pruning twice does no harm, so every worker may schedule it.
        broker.register_task(
            _as_task(failed.prune),
            PRUNE_FAILED_JOBS,
            schedule=[{"cron": "0 * * * *"}],
            retry_on_error=False,
        )
        return cls(broker, failed, webhooks)

    async def ping(self) -> None:
        """Raise unless Redis answers now."""
        await self.failed.ping()

    async def close(self) -> None:
        """Close the connections to Redis and to the webhook."""
        await self.broker.shutdown()
        await self.webhooks.close()
        await self.failed.close()


def _as_task(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """A function calling `method`, for taskiq, which renames what it registers."""

    @functools.wraps(method)
    async def task(*args: P.args, **kwargs: P.kwargs) -> R:
        return await method(*args, **kwargs)

    return task


class QueuedWebhooks:
    """Publishes each event by queueing a job that delivers it to the webhook."""

    def __init__(self, broker: AsyncBroker) -> None:
        self._deliver: AsyncKicker[Any, Any] = AsyncKicker(DELIVER_EVENT, broker, {})

    async def publish(self, event: DomainEvent) -> None:
        """Queue the delivery; best effort, as the change is already committed."""
        try:
            await self._deliver.kiq(event=event.model_dump(mode="json"))
        except (RedisError, OSError) as error:
            logger.error("event %s not queued for the webhook: %s", event.name, error)


class CarryRequestId(TaskiqMiddleware):
    """Labels a job with the request that queued it; its log lines then carry it."""

    def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        current = request_id.get()
        if current is not None and "request_id" not in message.labels:
            message.labels["request_id"] = current
        return message

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        # Each job runs in a task of its own: the id stays with it.
        request_id.set(message.labels.get("request_id"))
        return message


class WaitBeforeRetry(TaskiqMiddleware):
    """Holds a retried job for the delay the retry middleware chose.

    A Redis stream cannot delay a message, so the worker waits before running it; the
    job stays unacknowledged meanwhile, and another worker takes it over should this
    one die.
    """

    async def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        delay = float(message.labels.get("delay", 0))
        if delay > 0:
            await asyncio.sleep(delay)
        return message
