"""Ctrl+C at the worst moment leaves nothing behind: no container, no image, no open
progress display. Each test interrupts one step and lets the leak check (conftest) and its
own assertions say what stayed."""

from __future__ import annotations

import uuid

import pytest
from conftest import OS_IMAGE, TEST_LAB
from slimlab import builder as build_mod
from slimlab import containers as run_mod
from slimlab import engine as slim_engine
from slimlab import progress as progress_mod
from slimlab.engine import buildx

pytestmark = pytest.mark.engine


CLOSED: list[str] = []


class Recorder(progress_mod.LineProgress):
    def close(self, summary: str) -> None:
        CLOSED.append(summary)
        super().close(summary)


def test_ctrl_c_during_a_build_closes_the_display_and_tags_nothing(engine, tiny_image,
                                                                    monkeypatch):
    CLOSED.clear()
    monkeypatch.setattr(build_mod, "progress", lambda title, quiet=False: Recorder(title))
    real = buildx.parse_events

    def interrupted(chunks, on_vertex=None):
        def stop(vertex):
            if vertex.instruction is not None and vertex.started:
                raise KeyboardInterrupt
        return real(chunks, stop)

    monkeypatch.setattr(buildx, "parse_events", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tiny_image(f"ARG OS_IMAGE\nFROM ${{OS_IMAGE}}\nRUN sleep 5 && echo {uuid.uuid4().hex}\n",
                   name="interrupted", quiet=False)
    assert CLOSED == ["interrupted: nothing was tagged"]
    assert not [i for i in engine.images.list() if any("interrupted" in t for t in i.tags)]


def test_ctrl_c_right_after_create_removes_the_container(engine, monkeypatch):
    created = []
    real = slim_engine.create_container

    def create_then_interrupt(image, **kwargs):
        created.append(real(image, **kwargs))  # the engine has it; we never return it
        raise KeyboardInterrupt

    monkeypatch.setattr(slim_engine, "create_container", create_then_interrupt)
    with pytest.raises(KeyboardInterrupt), run_mod.run_container(OS_IMAGE, lab=TEST_LAB,
                                                       command=["sleep", "60"],
                                                       wait_ready=False):
        pass
    assert created and not engine.api.containers(all=True, filters={"id": created[0].id})


def test_ctrl_c_during_delivery_removes_the_changed_image(engine, monkeypatch, tmp_path):
    """Interrupted after the changed copy was built: the finally removes `…-changed`."""
    from slimlab import workbook

    folder = tmp_path / f"pytest-{uuid.uuid4().hex[:8]}"  # the lab label the leak check owns
    folder.mkdir()
    dockerfile = folder / "Dockerfile.interrupted"
    dockerfile.write_text("ARG OS_IMAGE=debian:trixie-slim\nFROM ${OS_IMAGE}\n"
                          "COPY src/main/java/dev/slimlab/bookshelf/BookshelfApplication.java "
                          "/app.java\n")
    tag = workbook.resolve(dockerfile).tag
    changed: list[str] = []
    real_inspect = workbook.inspect

    def interrupt_on_changed(ref):
        if ref.endswith("-changed"):
            changed.append(ref)
            assert slim_engine.image_exists(ref)  # it was built: the finally must remove it
            raise KeyboardInterrupt
        return real_inspect(ref)

    monkeypatch.setattr(workbook, "inspect", interrupt_on_changed)
    monkeypatch.setattr(workbook, "base_args", lambda path: [])
    real_build = workbook.build_image
    monkeypatch.setattr(workbook, "build_image", lambda *a, **k: real_build(
        *a, **{**k, "buildargs": {"OS_IMAGE": OS_IMAGE}, "use_mirror": False}))
    try:
        with pytest.raises(KeyboardInterrupt):
            workbook.delivery(dockerfile, cold=False, record=False, quiet=True)
    finally:
        slim_engine.remove_image(tag)
    assert changed == [tag + "-changed"] and not slim_engine.image_exists(changed[0])
