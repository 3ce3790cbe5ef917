"""fastgen: scaffold layered, tested, typed FastAPI projects."""

import sys

__version__ = "0.8.0"


def main() -> None:
    """The `fastgen` command. Ctrl-C while it starts is one line and exit 130, as later;
    SIGTERM cleans up as Ctrl-C does, and exits 143."""
    try:
        import signal

        signal.signal(signal.SIGTERM, _terminate)
        from fastgen.cli import run
    except (KeyboardInterrupt, RuntimeError) as error:
        # A Ctrl-C while a class is created (`__set_name__`) comes wrapped in a RuntimeError.
        if not isinstance(error, KeyboardInterrupt) and not isinstance(
            error.__cause__, KeyboardInterrupt
        ):
            raise
        sys.stderr.write("interrupted: nothing was changed\n")
        raise SystemExit(130) from None
    run()


def _terminate(signum: int, frame: object) -> None:
    import signal

    from fastgen.errors import Terminated

    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one clean-up, not one per signal
    raise Terminated
