"""fastgen: scaffold layered, tested, typed FastAPI projects."""

import sys

__version__ = "0.7.0"


def main() -> None:
    """The `fastgen` command. Ctrl-C while it starts is one line and exit 130, as later."""
    try:
        from fastgen.cli import run
    except KeyboardInterrupt:
        sys.stderr.write("interrupted: nothing was changed\n")
        raise SystemExit(130) from None
    run()
