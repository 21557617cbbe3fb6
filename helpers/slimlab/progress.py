"""One progress display: a widget bar in JupyterLab, plain timestamped lines elsewhere
(terminals, CI logs, graded runs), so the same call reads well in both."""

from __future__ import annotations

import sys
import time
from typing import Protocol


class Progress(Protocol):
    def step(self, index: int, total: int, text: str, cached: bool | None = None) -> None: ...
    def note(self, text: str) -> None: ...
    def close(self, summary: str) -> None: ...


def in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


class LineProgress:
    """Plain lines: `[  12.3s] step 3/9 (cached) RUN mvn package`."""

    def __init__(self, title: str, stream=None) -> None:
        self.title = title
        self.start = time.monotonic()
        self.stream = stream or sys.stdout
        self._print(f"{title}")

    def _print(self, text: str) -> None:
        print(f"[{time.monotonic() - self.start:7.1f}s] {text}", file=self.stream, flush=True)

    def step(self, index: int, total: int, text: str, cached: bool | None = None) -> None:
        mark = " CACHED" if cached else ""
        self._print(f"{text[:100]}{mark}")

    def note(self, text: str) -> None:
        self._print(text)

    def close(self, summary: str) -> None:
        self._print(summary)


class WidgetProgress:
    """A tqdm notebook bar whose description follows the current step. On close the bar
    gives way to its summary line: a saved notebook keeps no widget state, so a bar left
    in place would reopen as its first frame ("0% 0/1")."""

    def __init__(self, title: str) -> None:
        from IPython.display import display
        from tqdm.notebook import tqdm

        self.bar = tqdm(total=1, desc=title, unit="step", leave=True, display=False)
        self.handle = display(self.bar.container, display_id=True)
        self.title = title
        self.start = time.monotonic()

    def step(self, index: int, total: int, text: str, cached: bool | None = None) -> None:
        self.bar.total = total
        self.bar.n = index - 1
        mark = " (cached)" if cached else ""
        self.bar.set_description(f"{self.title}: {index}/{total}{mark}")
        self.bar.set_postfix_str(text[:60])
        self.bar.refresh()

    def note(self, text: str) -> None:
        self.bar.set_postfix_str(text[:60])

    def close(self, summary: str) -> None:
        from IPython.display import Pretty

        self.bar.n = self.bar.total
        self.bar.close()
        if self.handle is not None:
            self.handle.update(Pretty(summary))
        else:  # no display handle (a front end without display ids): a plain line
            print(summary, flush=True)


def progress(title: str, quiet: bool = False) -> Progress:
    """The right display for where we run; ``quiet`` prints only the summary."""
    if quiet:
        return _Quiet(title)
    if in_notebook():
        try:
            return WidgetProgress(title)
        except ImportError:  # ipywidgets missing: fall back to lines
            pass
    return LineProgress(title)


class _Quiet(LineProgress):
    def __init__(self, title: str) -> None:
        self.title = title
        self.start = time.monotonic()
        self.stream = sys.stdout

    def step(self, index: int, total: int, text: str, cached: bool | None = None) -> None:
        pass

    def note(self, text: str) -> None:
        pass
