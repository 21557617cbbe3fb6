"""Attack surface counts packages from dpkg, distroless's status.d, or Alpine's apk."""

from __future__ import annotations

from types import SimpleNamespace

from slimlab.metrics import surface as surface_mod
from slimlab.metrics.layers import Entry

APK_DB = "P:musl\nV:1.2.5-r0\n\nP:busybox\nV:1.36\n\nP:openjdk25-jre\nV:25\n"


def _report(paths: list[str]) -> SimpleNamespace:
    return SimpleNamespace(ref="x:1", fs=SimpleNamespace(files={p: None for p in paths}))


def test_apk_lines_are_counted_one_per_package():
    assert surface_mod.apk_packages(APK_DB) == 3
    assert surface_mod.apk_packages("") == 0


def test_alpine_images_are_counted_from_the_apk_database(monkeypatch):
    asked: list[tuple[str, str]] = []

    def read(image, path):
        asked.append((image, path))
        return APK_DB.encode()

    monkeypatch.setattr("slimlab.engine.read_image_file", read)
    assert surface_mod._package_count(_report(["lib/apk/db/installed", "bin/busybox"])) == 3
    assert asked == [("x:1", "/lib/apk/db/installed")]


def test_dpkg_wins_and_no_database_means_unknown(monkeypatch):
    monkeypatch.setattr("slimlab.engine.read_image_file", lambda *a: b"P:never\n")
    debian = _report(["var/lib/dpkg/info/a.list", "var/lib/dpkg/info/b.list"])
    assert surface_mod._package_count(debian) == 2
    assert surface_mod._package_count(_report(["var/lib/dpkg/status.d/libc6"])) == 1
    assert surface_mod._package_count(_report(["app.jar"])) is None


def _files(entries: dict[str, tuple[str, int]]) -> SimpleNamespace:
    """A report whose file system holds these paths: (kind, mode) each."""
    files = {path: (Entry(path, 10, mode, kind), 0) for path, (kind, mode) in entries.items()}
    return SimpleNamespace(ref="x:1", fs=SimpleNamespace(files=files), user="10001")


def test_a_compiler_is_a_program_that_runs_and_is_named(monkeypatch):
    """A directory or a data file that only bears a compiler's name is no compiler."""
    monkeypatch.setattr("slimlab.engine.read_image_file", lambda *a: None)
    jdk = _files({"opt/java/openjdk/bin/javac": ("f", 0o755), "usr/bin/gcc": ("l", 0o777),
                  "opt/java/openjdk/bin/java": ("f", 0o755)})
    found = surface_mod.surface(jdk)
    assert found.compiler and found.compilers == ["/opt/java/openjdk/bin/javac", "/usr/bin/gcc"]
    assert surface_mod.compiler_names(found.compilers) == ["gcc", "javac"]
    named_only = _files({"usr/share/completions/bin/javac": ("d", 0o755),
                         "app/docs/bin/cc": ("f", 0o644),
                         "opt/java/openjdk/bin/java": ("f", 0o755)})
    found = surface_mod.surface(named_only)
    assert not found.compiler and found.compilers == []
    assert found.to_dict()["compilers"] == []  # recorded by sl.measure for the scoreboard
