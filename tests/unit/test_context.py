"""The build context tar: .dockerignore, the injected Dockerfile, the mirror's settings."""

from __future__ import annotations

import io
import tarfile

import pytest
from slimlab.context import (
    DOCKERFILE_NAME,
    MIRROR_SETTINGS,
    context_size,
    make_context,
    read_dockerignore,
)


@pytest.fixture
def app(tmp_path):
    root = tmp_path / "app"
    files = {
        "pom.xml": b"<project/>\n",
        "src/main/java/App.java": b"class App {}\n",
        "target/app.jar": b"J" * 5000,
        "build.log": b"L" * 300,
        "keep.log": b"K" * 7,
        "docs/notes.md": b"D" * 11,
        "src/secret.txt": b"S" * 13,
        ".mvn/maven.config": b"-B\n-ntp",  # no newline at the end
        ".mvn/wrapper/maven-wrapper.properties": b"w" * 3,
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / ".dockerignore").write_text(
        "# build outputs\n\ntarget\n*.log\n!keep.log\ndocs/\n**/secret*\n")
    dockerfile = tmp_path / "lab" / "Dockerfile"
    dockerfile.parent.mkdir()
    dockerfile.write_text("FROM scratch\nCOPY . /app\n")
    return root, dockerfile


def members(ctx) -> dict[str, bytes | None]:
    with tarfile.open(fileobj=io.BytesIO(ctx.data)) as tar:
        return {m.name: (tar.extractfile(m).read() if m.isfile() else None) for m in tar}


def test_read_dockerignore_skips_comments_and_blanks(app):
    root, _ = app
    assert read_dockerignore(root) == ["target", "*.log", "!keep.log", "docs/", "**/secret*"]
    assert read_dockerignore(root / "src") == []


def test_dockerignore_patterns_and_exceptions(app):
    root, dockerfile = app
    names = members(make_context(root, dockerfile))
    assert "pom.xml" in names and "src/main/java/App.java" in names
    assert "keep.log" in names  # "!keep.log" brings it back
    for gone in ("target/app.jar", "build.log", "docs/notes.md", "src/secret.txt"):
        assert gone not in names, gone


def test_without_dockerignore_everything_goes(app):
    root, dockerfile = app
    names = members(make_context(root, dockerfile, honour_dockerignore=False))
    assert {"target/app.jar", "build.log", "docs/notes.md", "src/secret.txt"} <= set(names)


def test_dockerfile_from_elsewhere_is_injected(app):
    root, dockerfile = app
    ctx = make_context(root, dockerfile)
    assert ctx.dockerfile == DOCKERFILE_NAME
    assert members(ctx)[DOCKERFILE_NAME] == dockerfile.read_bytes()
    assert DOCKERFILE_NAME in ctx.files


def test_no_mirror_keeps_maven_config_untouched(app):
    root, dockerfile = app
    names = members(make_context(root, dockerfile))
    assert names[".mvn/maven.config"] == b"-B\n-ntp"
    assert MIRROR_SETTINGS not in names


def test_mirror_settings_and_maven_config_line(app):
    root, dockerfile = app
    url = "http://127.0.0.1:4321/"
    names = members(make_context(root, dockerfile, mirror_url=url))
    config = names[".mvn/maven.config"].decode()
    assert config.splitlines() == ["-B", "-ntp", f"--settings={MIRROR_SETTINGS}"]
    assert list(names).count(".mvn/maven.config") == 1  # replaced, not added twice
    settings = names[MIRROR_SETTINGS].decode()
    assert f"<url>{url}</url>" in settings and "<mirrorOf>*</mirrorOf>" in settings
    assert ".mvn/wrapper/maven-wrapper.properties" in names  # the rest of .mvn stays
    assert (root / ".mvn/maven.config").read_bytes() == b"-B\n-ntp"  # source untouched


def test_mirror_without_an_existing_maven_config(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM scratch\n")
    names = members(make_context(tmp_path, dockerfile, mirror_url="http://127.0.0.1:1/"))
    assert names[".mvn/maven.config"] == f"--settings={MIRROR_SETTINGS}\n".encode()


def test_sizes_count_file_content(app):
    root, dockerfile = app
    ctx = make_context(root, dockerfile)
    # pom 11, App.java 13, keep.log 7, maven.config 7, wrapper 3, .dockerignore, Dockerfile
    sent = (11 + 13 + 7 + 7 + 3 + (root / ".dockerignore").stat().st_size
            + len(dockerfile.read_bytes()))
    assert ctx.size == sent
    assert context_size(root) == sent - len(dockerfile.read_bytes())
    ignored = 5000 + 300 + 11 + 13  # target/app.jar, build.log, docs/notes.md, secret.txt
    assert context_size(root, honour_dockerignore=False) == context_size(root) + ignored


def test_tar_entries_are_owned_by_root(app):
    root, dockerfile = app
    with tarfile.open(fileobj=io.BytesIO(make_context(root, dockerfile).data)) as tar:
        assert {(m.uid, m.gid, m.uname) for m in tar} == {(0, 0, "")}


def test_the_patterns_shown_are_the_dockerignores_own(tmp_path):
    """Docker's matcher appends !Dockerfile to the list it gets; the build-context table
    once showed that pattern as if .dockerignore held it."""
    from slimlab.context import included_paths

    (tmp_path / ".dockerignore").write_text("target/\n*.md\n")
    (tmp_path / "a.txt").write_text("a")
    patterns = read_dockerignore(tmp_path)
    included_paths(tmp_path, patterns)
    assert patterns == ["target/", "*.md"]
