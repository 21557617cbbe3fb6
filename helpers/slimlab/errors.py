"""Typed errors. Each carries a hint that tells the learner what to do next, and the log
lines that matter, so a notebook shows one readable message instead of a traceback."""

from __future__ import annotations

LOG_LINES = 10  # log lines shown under an error in a notebook


class SlimlabError(Exception):
    """Base of every Slimlab error: a message, a hint and (optionally) log lines."""

    def __init__(self, message: str, *, hint: str = "", log: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.log = log

    def __str__(self) -> str:
        parts = [self.message]
        if self.log:
            parts.append("Last log lines:\n" + _indent(self.log))
        if self.hint:
            parts.append("What to do: " + self.hint)
        return "\n".join(parts)

    def _repr_markdown_(self) -> str:  # shown nicely when a cell returns the error
        return str(self)

    def _render_traceback_(self) -> list[str]:
        """What IPython shows when a cell raises this: the message, the log lines that
        matter and the fix, instead of a wall of chained tracebacks. (The full traceback
        stays on ``__cause__`` for anyone who wants it: ``%tb`` or ``%debug``.)"""
        red, bold, reset = "\x1b[31m", "\x1b[1m", "\x1b[0m"
        lines = [f"{red}{bold}{type(self).__name__}{reset}: {self.message}"]
        if self.log:
            log = self.log.rstrip().splitlines()[-LOG_LINES:]
            lines += ["Last log lines:", *("    " + line for line in log)]
        if self.hint:
            lines.append(f"{bold}What to do:{reset} {self.hint}")
        return lines


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())


class ConfigError(SlimlabError):
    """A setting or an argument that cannot work."""


class EngineUnavailable(SlimlabError):
    """The Docker engine cannot be reached, refuses us, or is too old."""


class EngineLimit(SlimlabError):
    """The engine runs, but cannot do what was asked in its present setup (e.g. push zstd
    layers from the graph-driver image store); the hint says which setting allows it."""


class ToolFailed(SlimlabError):
    """A helper tool the labs run beside Docker (dive) is missing or failed."""


class ImageMissing(SlimlabError):
    """An image the call needs is not on the engine."""


class BaseImageMissing(SlimlabError):
    """A base image is neither present locally nor allowed to be pulled."""


class PullFailed(SlimlabError):
    """A pull or push did not complete; ``cause`` names why (offline, rate limit…)."""

    def __init__(self, message: str, *, cause: str = "", hint: str = "", log: str = "") -> None:
        super().__init__(message, hint=hint, log=log)
        self.cause = cause


class BuildFailed(SlimlabError):
    """A docker build failed; names the failing instruction and carries the log."""

    def __init__(self, message: str, *, step: str = "", hint: str = "", log: str = "") -> None:
        super().__init__(message, hint=hint, log=log)
        self.step = step


class ContainerFailed(SlimlabError):
    """A container exited or never became ready."""

    def __init__(self, message: str, *, status: str = "", hint: str = "", log: str = "") -> None:
        super().__init__(message, hint=hint, log=log)
        self.status = status


class PortBusy(SlimlabError):
    """The port asked for is already taken on 127.0.0.1."""


class MirrorError(SlimlabError):
    """The Maven mirror cannot start or its repository is missing."""


class KitError(SlimlabError):
    """A kit base image could not be built."""


class BundleError(SlimlabError):
    """A classroom bundle is damaged, partial or inconsistent."""


class CheckpointFailed(SlimlabError):
    """A checkpoint did not pass (raised in strict mode, i.e. CI and grading)."""
