"""Health probes for load balancers and orchestrators: liveness and readiness."""

from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from app.core.readiness import ReadinessProbe

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """The body of a liveness check."""

    status: str


class Readiness(BaseModel):
    """The body of a readiness check: the state of each part the app needs."""

    status: Literal["ready", "unavailable"]
    checks: dict[str, Literal["ok", "failing"]]


@router.get("/health")
async def health() -> Health:
    """Answer 200 while the process is able to serve requests; checks nothing else."""
    return Health(status="ok")


@router.get(
    "/health/ready",
    responses={
        status.HTTP_503_SERVICE_UNAVAILABLE: {
            "model": Readiness,
            "description": "A part the app needs is failing; `checks` names it",
        }
    },
)
async def ready(request: Request, response: Response) -> Readiness:
    """Answer 200 when every part the app needs answers; 503 naming any that fails."""
    probe: ReadinessProbe = request.app.state.readiness
    failing = await probe.failing_parts()
    if failing:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Readiness(
        status="unavailable" if failing else "ready",
        checks={name: "failing" if name in failing else "ok" for name in probe.checks},
    )
