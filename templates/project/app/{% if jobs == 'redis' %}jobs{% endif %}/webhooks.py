"""The example job: deliver a domain event to the webhook, retried until it is taken."""

import logging

import httpx

from app.core.logs import request_id
from app.services.publishing import DomainEvent

logger = logging.getLogger(__name__)


class WebhookSender:
    """POSTs events as JSON to one URL; an error or a non-2xx answer raises: retry."""

    def __init__(self, url: str | None, *, timeout: float) -> None:
        self._url = url
        self._client = httpx.AsyncClient(timeout=timeout)

    async def deliver(self, event: DomainEvent) -> None:
        if not self._url:
            logger.warning("WEBHOOK_URL is not set: event %s dropped", event.name)
            return
        headers = {"Content-Type": "application/json"}
        if (current := request_id.get()) is not None:
            headers["X-Request-ID"] = current
        response = await self._client.post(
            self._url, content=event.model_dump_json(), headers=headers
        )
        response.raise_for_status()
        logger.info("event %s delivered to the webhook", event.name)

    async def close(self) -> None:
        await self._client.aclose()
