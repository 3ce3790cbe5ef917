"""Logging: stdlib logging for the app and every library, as console lines or JSON.

Each line carries the id of the request (or WebSocket session) it was written for.
"""

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

LogFormat = Literal["console", "json"]

# The id of the request being served; set by app.api.telemetry.RequestTelemetry.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

HANDLER_NAME = "app"
NO_REQUEST = "-"  # the request id of lines written outside any request
CONSOLE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"
# Attributes every LogRecord has; anything else was passed with `extra=`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
    "color_message",  # uvicorn's message with terminal colours
}


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of the request it was written for, or `-`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or NO_REQUEST
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id_of(record),
        }
        entry |= {
            key: value
            for key, value in vars(record).items()
            if key not in _RECORD_ATTRIBUTES
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def _request_id_of(record: logging.LogRecord) -> str | None:
    value = getattr(record, "request_id", NO_REQUEST)
    return None if value == NO_REQUEST else str(value)


def configure_logging(level: str, log_format: LogFormat) -> None:
    """Send every logger's records to stdout, in `log_format`, from `level` up.

    uvicorn's loggers are routed here too; its access log is replaced by the
    one line per request that RequestTelemetry writes.
    """
    handler = logging.StreamHandler(sys.stdout)
    handler.name = HANDLER_NAME
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(CONSOLE_FORMAT)
    )
    root = logging.getLogger()
    for previous in [h for h in root.handlers if h.name == HANDLER_NAME]:
        root.removeHandler(previous)  # configured again: by another app in the tests
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False  # with no handler left, uvicorn skips its access log
