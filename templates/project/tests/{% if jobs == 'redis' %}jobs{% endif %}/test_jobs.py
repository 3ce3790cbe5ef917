"""The jobs, run in this process by taskiq's in-memory broker; failures go to Redis."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from taskiq import InMemoryBroker
from taskiq.schedule_sources import LabelScheduleSource

from app.core.config import Settings
from app.core.logs import request_id
from app.jobs.failed import FailedJob
from app.jobs.queue import PRUNE_FAILED_JOBS, Jobs, QueuedWebhooks
from app.jobs.webhooks import WebhookSender
from tests.jobs.conftest import EVENT, Webhook, forget_queue, until
from tests.redis import REDIS_URL, require_redis


@pytest.fixture
async def jobs(webhook: Webhook) -> AsyncIterator[Jobs]:
    config = Settings(
        redis_url=REDIS_URL,  # connected to only by the tests that keep failures
        jobs_queue=f"test-{uuid4().hex}:jobs",
        webhook_url=webhook.url,
        job_max_attempts=3,
        job_retry_delay_seconds=0.01,
    )
    broker = InMemoryBroker()
    jobs = Jobs.from_settings(config, broker)
    await broker.startup()
    yield jobs
    # A job still running (recording a failure, say) would reconnect to Redis after
    # the close and leave that connection to a closed event loop.
    await broker.wait_all()
    await jobs.close()
    await forget_queue(config.jobs_queue)


async def publish_as_request(jobs: Jobs, request: str) -> None:
    token = request_id.set(request)
    try:
        await QueuedWebhooks(jobs.broker).publish(EVENT)
    finally:
        request_id.reset(token)


async def test_an_event_is_delivered_with_the_id_of_its_request(
    jobs: Jobs, webhook: Webhook
) -> None:
    await publish_as_request(jobs, "req-7")

    await until(lambda: webhook.delivered)

    (delivery,) = webhook.delivered
    assert delivery.body == EVENT.model_dump(mode="json")
    assert delivery.request_id == "req-7"


async def test_a_refused_delivery_is_retried_until_it_is_taken(
    jobs: Jobs, webhook: Webhook
) -> None:
    webhook.statuses = [503, 500]

    await publish_as_request(jobs, "req-8")

    await until(lambda: webhook.delivered)
    assert webhook.attempts == 3
    assert webhook.delivered[0].request_id == "req-8"


async def test_a_job_failing_every_attempt_is_kept_with_its_error(
    jobs: Jobs, webhook: Webhook
) -> None:
    require_redis()
    webhook.statuses = [500, 500, 500]

    await publish_as_request(jobs, "req-9")

    failed: list[FailedJob] = []

    async def recorded() -> list[FailedJob]:
        failed[:] = await jobs.failed.newest()
        return failed

    await until(recorded)
    (job,) = failed
    assert webhook.attempts == 3
    assert (job.name, job.request_id) == ("deliver_event", "req-9")
    assert job.arguments == {"event": EVENT.model_dump(mode="json")}
    assert "500" in job.error


async def test_pruning_forgets_only_the_failures_older_than_the_days_kept(
    jobs: Jobs,
) -> None:
    require_redis()
    now = datetime.now(UTC)
    old, recent = (
        FailedJob(
            id=uuid4().hex,
            name="deliver_event",
            arguments={},
            error="HTTPStatusError: 500",
            request_id=None,
            failed_at=now - timedelta(days=days),
        )
        for days in (8, 6)
    )
    await jobs.failed.record(old)
    await jobs.failed.record(recent)

    assert await jobs.failed.prune() == 1
    assert await jobs.failed.newest() == [recent]


async def test_pruning_is_scheduled_every_hour(jobs: Jobs) -> None:
    source = LabelScheduleSource(jobs.broker)
    await source.startup()  # as the worker's scheduler does

    schedules = await source.get_schedules()

    assert [(s.task_name, s.cron) for s in schedules] == [
        (PRUNE_FAILED_JOBS, "0 * * * *")
    ]


async def test_without_a_webhook_url_an_event_is_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sender = WebhookSender(None, timeout=1)
    try:
        await sender.deliver(EVENT)
    finally:
        await sender.close()

    assert "WEBHOOK_URL is not set: event thing.created dropped" in caplog.text
