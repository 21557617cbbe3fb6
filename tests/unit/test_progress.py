"""The progress display: a widget bar that leaves its summary behind in a saved notebook,
and plain lines elsewhere."""

from __future__ import annotations

import IPython.display
import pytest
from slimlab import progress


class FakeHandle:
    """What IPython's display(..., display_id=True) returns: the output it can replace."""

    def __init__(self, shown: object) -> None:
        self.shown = [shown]

    def update(self, obj: object) -> None:
        self.shown.append(obj)


@pytest.fixture
def handles(monkeypatch):
    made: list[FakeHandle] = []

    def display(obj, display_id=None):
        assert display_id is True, "the bar must be shown with a display id to be replaced"
        made.append(FakeHandle(obj))
        return made[-1]

    monkeypatch.setattr(IPython.display, "display", display)
    return made


def test_a_closed_widget_bar_is_replaced_by_its_summary(handles, capsys):
    bar = progress.WidgetProgress("build bookshelf:basic")
    bar.step(1, 9, "[1/9] FROM maven")
    bar.step(9, 9, "[9/9] COPY app.jar", cached=True)
    bar.close("bookshelf:basic built in 12.3 s (9 steps, 8 cached)")
    (handle,) = handles
    assert handle.shown[0] is bar.bar.container  # the live bar first
    final = handle.shown[-1]
    assert isinstance(final, IPython.display.Pretty)
    assert final.data == "bookshelf:basic built in 12.3 s (9 steps, 8 cached)"
    assert "0/1" not in final.data
    assert capsys.readouterr().out == ""  # said once, where the bar was


def test_without_a_display_handle_the_summary_is_printed(monkeypatch, capsys):
    monkeypatch.setattr(IPython.display, "display", lambda obj, display_id=None: None)
    bar = progress.WidgetProgress("read bookshelf:basic")
    bar.close("bookshelf:basic: 3 new layer(s) read, in 1.2 s")
    assert capsys.readouterr().out == "bookshelf:basic: 3 new layer(s) read, in 1.2 s\n"


def test_outside_a_notebook_progress_is_plain_lines(monkeypatch, capsys):
    monkeypatch.setattr(progress, "in_notebook", lambda: False)
    display = progress.progress("build bookshelf:basic")
    display.step(2, 9, "[2/9] RUN apt-get update", cached=True)
    display.close("built")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("build bookshelf:basic")
    assert lines[1].endswith("[2/9] RUN apt-get update CACHED")
    assert lines[2].endswith("built")
