"""The errors fastgen raises for a user to read; the CLI prints them and exits."""


class FastgenError(Exception):
    """A problem the user can fix: `message` says what is wrong, `hint` how to fix it."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InvalidNameError(FastgenError, ValueError):
    """A project name that cannot become a folder, distribution or package."""


class InvalidAnswerError(FastgenError, ValueError):
    """An answer (flag, --data, answers file) that the template does not accept."""


class DestinationError(FastgenError):
    """A destination that fastgen must not or cannot write into."""


class StepError(FastgenError):
    """A step after rendering (git, dependency installation) failed."""


class InterruptedAfterCreationError(FastgenError):
    """Ctrl-C arrived once the project was complete: it is kept, and says so."""

    exit_code = 130


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be, so that every write is undone as for Ctrl-C."""


def describe_os_error(error: OSError) -> str:
    """One line for an operating-system error: what failed, and on which path."""
    reason = error.strerror or str(error)
    return f"{reason}: {error.filename}" if error.filename else reason
