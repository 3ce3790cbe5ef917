"""Background jobs, queued on Redis with taskiq and run by `python -m app.worker`."""
