"""The one place fastgen makes Jinja environments: sandboxed, and bounded.

A template is untrusted input. Whatever fastgen renders from one (project files, path
parts, resource templates, question defaults and validators) goes through an
environment made here: Jinja's sandbox, which refuses the attributes that lead to
Python's internals (`cycler.__init__.__globals__`), with bounds on what one render may
cost. ruff's banned-api rule keeps `jinja2.Environment` out of every other module.

Bounds: a render in the main thread runs at most `SECONDS` (a timer) and may grow the
process by at most `MEMORY_BYTES` (an address-space limit, where the system has one);
one rendered text is at most `TEXT_CHARS` characters and a whole render `TOTAL_CHARS`;
`*`, `**`, `%` and the padding filters refuse results over them before computing them.
Every render is inside such a budget.
"""

from __future__ import annotations

import functools
import re
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from fastgen.errors import FastgenError
from fastgen.template import regex_search

SECONDS = 60.0  # one render: a project, or a resource
TEXT_CHARS = 16 * 2**20  # one rendered file or string
TOTAL_CHARS = 256 * 2**20  # everything one render writes
MEMORY_BYTES = 2**30  # what one render may add to the process


class TemplateRefusedError(FastgenError):
    """The template tried what the sandbox forbids, or went past a bound."""


@dataclass
class _Budget:
    chars: int = 0

    def spend(self, chars: int) -> None:
        self.chars += chars
        if self.chars > TOTAL_CHARS:
            raise TemplateRefusedError(
                f"the template renders more than {TOTAL_CHARS // 2**20} MiB",
                hint="a template that grows without end is stopped; check its loops",
            )


_current: _Budget | None = None


@contextmanager
def budget() -> Iterator[None]:
    """Bound the renders inside the block, together: their time and their output."""
    global _current
    if _current is not None:  # an outer budget already bounds this render
        yield
        return
    _current = _Budget()
    try:
        with _timer(SECONDS), _memory_limit(MEMORY_BYTES):
            yield
    except MemoryError:
        raise TemplateRefusedError(
            f"the template needed more than {MEMORY_BYTES // 2**20} MiB of memory to render",
            hint="a template that grows without end is stopped; check its loops",
        ) from None
    finally:
        _current = None


@contextmanager
def _memory_limit(extra: int) -> Iterator[None]:
    """Let the process's address space grow by at most `extra` bytes in the block (from
    the main thread only, as the timer: the limit is the whole process's)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):  # not Linux: the other bounds still hold
        yield
        return
    limit = used + extra
    if soft != resource.RLIM_INFINITY and soft <= limit:
        yield  # already stricter
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def _timer(seconds: float) -> Iterator[None]:
    """Raise TemplateRefusedError in the main thread once `seconds` have passed."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield  # signals reach the main thread only: elsewhere only the size bounds hold
        return

    def expire(signum: int, frame: object) -> None:
        raise TemplateRefusedError(
            f"the template took more than {seconds:g} s to render",
            hint="a template that loops without end is stopped; check its loops",
        )

    previous = signal.signal(signal.SIGALRM, expire)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render(template: Any, context: Mapping[str, Any], *, name: str) -> str:
    """`template` rendered with `context`, chunk by chunk, within the bounds."""
    with budget():
        return _render(template, context, name)


def _render(template: Any, context: Mapping[str, Any], name: str) -> str:
    chunks: list[str] = []
    size = 0
    try:
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > TEXT_CHARS:
                raise TemplateRefusedError(
                    f"the template's {name} renders more than {TEXT_CHARS // 2**20} MiB",
                    hint="a template that grows without end is stopped; check its loops",
                )
            chunks.append(chunk)
    except jinja2.exceptions.SecurityError as error:
        raise refused(name, error) from None
    except RecursionError:
        raise TemplateRefusedError(f"the template's {name} recurses without end") from None
    except (ArithmeticError, LookupError, NameError, ValueError, re.error) as error:
        reason = f"{type(error).__name__}: {' '.join(str(error).split())}"
        raise TemplateRefusedError(f"the template's {name} cannot be rendered ({reason})") from None
    if _current is not None:
        _current.spend(size)
    return "".join(chunks)


def refused(name: str, error: Exception) -> TemplateRefusedError:
    """The error for a template that reached past the sandbox, naming where."""
    reason = " ".join(str(error).split())
    return TemplateRefusedError(
        f"the template's {name} tried what the sandbox forbids: {reason}",
        hint="nothing ran; a template renders text and cannot run code",
    )


def sandboxed(**options: Any) -> SandboxedEnvironment:
    """A sandboxed environment with fastgen's bounds; `options` as jinja2 takes them."""
    environment = _BoundedSandbox(**options)
    for name in ("center", "indent", "format"):
        environment.filters[name] = _bounded(environment.filters[name], width=name != "format")
    return environment


@functools.cache
def expressions() -> SandboxedEnvironment:
    """The environment of copier.yml's one-line templates (defaults, validators, `when`)."""
    environment = sandboxed(autoescape=False)
    environment.filters["regex_search"] = regex_search
    return environment


def render_string(source: str, context: Mapping[str, Any], *, name: str) -> str:
    """A copier.yml string (`name` says which) rendered with `context`."""
    try:
        template = _compiled_expression(source)
    except jinja2.exceptions.SecurityError as error:
        raise refused(name, error) from None
    return render(template, context, name=name)


@functools.cache
def _compiled_expression(source: str) -> Any:
    return expressions().from_string(source)


class _BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, with the operations that multiply a value's size bounded."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _refuse_large(_repeated_size(left, right) or _repeated_size(right, left))
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
                _refuse_large(abs(right) * left.bit_length() // 8)
        elif isinstance(left, str):
            _refuse_wide(left)
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, str) and attribute in _PADDING:
            return _bounded(getattr(obj, attribute), width=True, method=True)
        if isinstance(obj, str) and attribute in ("format", "format_map"):
            _refuse_wide(obj)
        return super().getattr(obj, attribute)


_PADDING = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
# A width or precision in a %-format or a format spec: `%-9s`, `%.9f`, `{:>9}`.
_WIDTHS = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d+))?|\{[^{}]*:[^{}\d]*(\d*)(?:\.(\d+))?[^{}]*\}")


def _repeated_size(sequence: Any, times: Any) -> int:
    if isinstance(sequence, (str, bytes, list, tuple)) and isinstance(times, int):
        return len(sequence) * times
    return 0


def _refuse_large(size: int) -> None:
    if size > TEXT_CHARS:
        raise TemplateRefusedError(
            f"the template computes a value of over {TEXT_CHARS // 2**20} MiB",
            hint="a template that grows without end is stopped",
        )


def _refuse_wide(text: str) -> None:
    for found in _WIDTHS.findall(text):
        _refuse_large(max(int(number or 0) for number in found))


def _bounded(
    function: Callable[..., Any], *, width: bool, method: bool = False
) -> Callable[..., Any]:
    """A filter or str method that refuses a width over the bounds before it runs:
    `center` and `indent` take it as an argument, `format` in its format string."""

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        if width:
            given = args if method else args[1:]
            numbers = [a for a in (*given, *kwargs.values()) if isinstance(a, int)]
            _refuse_large(max(numbers, default=0))
        elif args and isinstance(args[0], str):
            _refuse_wide(args[0])
        return function(*args, **kwargs)

    return bounded
