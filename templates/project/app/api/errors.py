"""Turns the domain errors raised by services into JSON error responses."""

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from app.services.errors import ConflictError, DomainError, NotFoundError

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFoundError: status.HTTP_404_NOT_FOUND,
    ConflictError: status.HTTP_409_CONFLICT,
}


async def handle_domain_error(_request: Request, error: Exception) -> JSONResponse:
    """Answer a domain error with its status code and `{"detail": message}`."""
    status_code = next(
        (code for kind, code in STATUS_BY_ERROR.items() if isinstance(error, kind)),
        status.HTTP_400_BAD_REQUEST,
    )
    return JSONResponse(status_code=status_code, content={"detail": str(error)})


def register_exception_handlers(app: FastAPI) -> None:
    """Install the one handler that maps every domain error to a response."""
    app.add_exception_handler(DomainError, handle_domain_error)
