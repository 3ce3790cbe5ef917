"""Liveness probe for load balancers and orchestrators."""

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The body of a health check."""

    status: str


@router.get("/health")
async def health() -> Health:
    """Answer 200 while the process is able to serve requests."""
    return Health(status="ok")
