"""`python -m app.worker`, a real process, against the real Redis.

Needs a Redis server at TEST_REDIS_URL; skipped without one (failed where CI is set).
"""

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import pytest

from app.core.config import Settings
from app.core.logs import request_id
from app.jobs.failed import FailedJob
from app.jobs.queue import Jobs, QueuedWebhooks
from tests.jobs.conftest import EVENT, Webhook, forget_queue, until
from tests.redis import require_redis


@pytest.fixture
async def config(webhook: Webhook) -> AsyncIterator[Settings]:
    """Settings for the worker and the app: a queue of this test's own."""
    config = Settings(
        redis_url=require_redis(),
        jobs_queue=f"test-{uuid4().hex}:jobs",
        webhook_url=webhook.url,
        job_max_attempts=2,
        job_retry_delay_seconds=0.05,
    )
    yield config
    await forget_queue(config.jobs_queue)


def environment_of(config: Settings) -> dict[str, str]:
    return os.environ | {
        "REDIS_URL": config.redis_url,
        "JOBS_QUEUE": config.jobs_queue,
        "WEBHOOK_URL": str(config.webhook_url),
        "JOB_MAX_ATTEMPTS": str(config.job_max_attempts),
        "JOB_RETRY_DELAY_SECONDS": str(config.job_retry_delay_seconds),
    }


@pytest.fixture
def worker(config: Settings) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m app.worker`, stopped with SIGTERM at the end of the test."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app.worker"], env=environment_of(config)
    )
    yield process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=15)


async def queue_event(config: Settings, request: str) -> None:
    """Publish the event as the app does within a request, and close the queue."""
    jobs = Jobs.from_settings(config)
    token = request_id.set(request)
    try:
        await QueuedWebhooks(jobs.broker).publish(EVENT)
    finally:
        request_id.reset(token)
        await jobs.close()


async def test_the_worker_runs_a_queued_job_and_stops_on_sigterm(
    config: Settings, worker: subprocess.Popen[bytes], webhook: Webhook
) -> None:
    await queue_event(config, "req-worker")

    await until(lambda: webhook.delivered, within=30)
    (delivery,) = webhook.delivered
    assert delivery.body == EVENT.model_dump(mode="json")
    assert delivery.request_id == "req-worker"
    worker.terminate()
    assert worker.wait(timeout=30) == 0  # generous: a loaded CI machine is slow


async def test_a_job_failing_every_attempt_is_listed_by_the_worker(
    config: Settings, worker: subprocess.Popen[bytes], webhook: Webhook
) -> None:
    webhook.statuses = [500, 502]

    await queue_event(config, "req-failing")

    await until(lambda: webhook.attempts == 2, within=30)
    failed: list[FailedJob] = []

    async def printed() -> list[FailedJob]:  # once the worker has recorded it
        failed[:] = await failed_jobs_printed(config)
        return failed

    await until(printed)
    (job,) = failed
    assert (job.name, job.request_id) == ("deliver_event", "req-failing")
    assert "502" in job.error


async def failed_jobs_printed(config: Settings) -> list[FailedJob]:
    """What `python -m app.worker --failed` prints."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.worker",
        "--failed",
        env=environment_of(config),
        stdout=asyncio.subprocess.PIPE,
    )
    printed, _ = await process.communicate()
    assert process.returncode == 0
    return [FailedJob.model_validate_json(line) for line in printed.splitlines()]
