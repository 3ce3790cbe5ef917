"""fastgen: scaffold layered, tested, typed FastAPI projects."""

import sys

__version__ = "0.8.0"


def main() -> None:
    """The `fastgen` command. Ctrl-C while it starts is one line and exit 130, as later."""
    try:
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
