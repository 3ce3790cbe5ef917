"""The throughput baseline for /health: a bare FastAPI app with one endpoint."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}
