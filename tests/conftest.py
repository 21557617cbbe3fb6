"""Shared fixtures: the engine, a leak check for engine tests, tiny throw-away images.

Engine tests (``@pytest.mark.engine``) get the ``engine`` fixture: without an engine they
are skipped on a laptop but FAIL in CI (``CI=true``), where a skipped suite would pass
silently. Every engine test is wrapped in a leak check: labelled containers and non-kit
images that appear during the test and are still there afterwards fail it (and are
removed, so one leak does not cascade into the next test).

Several people may build on the same engine at once, so outside CI a new object only
counts as a leak when it is ours: it carries ``slimlab.lab=pytest…`` or this process as
``slimlab.owner``. In CI (one job per engine) every new labelled object counts.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TEST_LAB = "pytest"
OS_IMAGE = "slimlab-kit/os:trixie"
JDK_IMAGE = "slimlab-kit/jdk:25"
JRE_IMAGE = "slimlab-kit/jre:25"
MAVEN_IMAGE = "slimlab-kit/maven:3.9-jdk25"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def engine():
    """A connected Docker client. No engine: skip locally, fail clearly in CI."""
    from slimlab import engine as slim_engine
    from slimlab.errors import EngineUnavailable

    try:
        return slim_engine.client()
    except EngineUnavailable as exc:
        if in_ci():
            pytest.fail(f"CI=true but there is no usable Docker engine:\n{exc}", pytrace=False)
        pytest.skip(f"no Docker engine: {exc.message}")


def _ours(labels: dict[str, str]) -> bool:
    if in_ci():
        return True
    owner = labels.get("slimlab.owner", "")
    return (labels.get("slimlab.lab", "").startswith(TEST_LAB)
            or owner == f"{socket.gethostname()}:{os.getpid()}")


def _snapshot(client) -> dict[str, tuple[str, dict]]:
    """id -> (what, labels) of every labelled container and non-kit image."""
    # The low-level lists: one call each, and no per-object inspect that could race with
    # a container another build removes meanwhile.
    found: dict[str, tuple[str, dict]] = {}
    for c in client.api.containers(all=True, filters={"label": "slimlab"}):
        found[c["Id"]] = (f"container {c['Names'][0].lstrip('/')} ({c['Image']})",
                          c.get("Labels") or {})
    for img in client.api.images(filters={"label": "slimlab"}):
        labels = img.get("Labels") or {}
        tags = img.get("RepoTags") or []
        # A kit image is known by its tag: images built FROM it inherit its labels, and
        # those must count as leaks like any other.
        if not (tags and all(t.startswith("slimlab-kit/") for t in tags)):
            found[img["Id"]] = (f"image {tags or img['Id'][:19]}", labels)
    return found


@pytest.fixture(autouse=True)
def _leak_check(request) -> Iterator[None]:
    if request.node.get_closest_marker("engine") is None:
        yield
        return
    client = request.getfixturevalue("engine")
    before = _snapshot(client)
    yield
    after = _snapshot(client)
    leaked = {i: w for i, w in after.items() if i not in before and _ours(w[1])}
    if not leaked:
        return
    for object_id, (what, _) in leaked.items():  # clean up, so the next test starts clean
        try:
            if what.startswith("container"):
                client.containers.get(object_id).remove(force=True, v=True)
            else:
                client.images.remove(object_id, force=True)
        except Exception:  # best effort; the failure below says what leaked
            pass
    pytest.fail("the test left behind: " + "; ".join(w for w, _ in leaked.values()),
                pytrace=False)


def unique_tag(name: str) -> str:
    return f"slimlab-test/{name}:{uuid.uuid4().hex[:10]}"


def remove_image(client, ref: str) -> None:
    from docker.errors import NotFound

    with contextlib.suppress(NotFound):
        client.images.remove(ref, force=True, noprune=False)


@pytest.fixture
def tiny_image(engine, tmp_path) -> Iterator[Callable[..., object]]:
    """Build a throw-away image from a Dockerfile text (removed after the test):
    ``tiny_image("FROM ${OS_IMAGE}\\nRUN true", files={"a.txt": b"x"})`` -> BuildResult."""
    from slimlab.builder import build_image

    made: list[str] = []

    def make(dockerfile: str, files: dict[str, bytes] | None = None, name: str = "tiny",
             buildargs: dict[str, str] | None = None, **kwargs):
        context = tmp_path / f"context-{len(made)}"
        context.mkdir()
        for rel, data in (files or {}).items():
            (context / rel).parent.mkdir(parents=True, exist_ok=True)
            (context / rel).write_bytes(data)
        path = tmp_path / f"Dockerfile-{len(made)}"
        path.write_text(dockerfile)
        tag = unique_tag(name)
        made.append(tag)
        kwargs.setdefault("use_mirror", False)
        kwargs.setdefault("quiet", True)
        return build_image(path, tag, context=context, lab=TEST_LAB,
                     buildargs={"OS_IMAGE": OS_IMAGE, **(buildargs or {})}, **kwargs)

    yield make
    for tag in made:
        remove_image(engine, tag)


@pytest.fixture
def fixtures_dir() -> Path:
    return Path(__file__).parent / "fixtures" / "platform"
