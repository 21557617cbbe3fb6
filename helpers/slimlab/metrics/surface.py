"""Attack surface, read from the image's file system (no container needed, so it works
on images without a shell): what an intruder would find to work with."""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import asdict, dataclass, field

from slimlab.metrics.image import ImageReport

SHELLS = ("bin/sh", "bin/bash", "bin/dash", "bin/busybox", "bin/ash")
PACKAGE_MANAGERS = ("bin/apt-get", "bin/dpkg", "sbin/apk", "bin/apk", "bin/microdnf",
                    "bin/dnf", "bin/yum", "bin/rpm")
COMPILERS = ("bin/javac", "bin/gcc", "bin/cc", "bin/g++", "bin/c++", "bin/clang")


@dataclass
class Surface:
    shell: bool
    package_manager: bool
    compiler: bool  # a compiler a process in the container could run (``compilers`` names it)
    maven: bool
    setuid_files: int
    user: str
    packages: int | None  # None: no package database to count from
    compilers: list[str] = field(default_factory=list)  # where: ["/opt/java/bin/javac"]

    def to_dict(self) -> dict:
        return asdict(self)


def _found(report: ImageReport, names: tuple[str, ...]) -> list[str]:
    """Where a program of one of these names is, under /, /usr or any other prefix such as
    a JDK's home (``*/bin/javac``): a file with an execute bit, or a link. A directory or
    a data file that only bears the name runs nothing, so it is no tool of an intruder's."""
    patterns = [f"{root}{name}" for name in names for root in ("", "usr/", "*/")]
    programs = {posixpath.basename(name) for name in names}
    found = []
    for path, (entry, _) in report.fs.files.items():
        if posixpath.basename(path) not in programs:
            continue  # most paths: no pattern to try
        runnable = entry.kind in ("l", "h") or (entry.kind == "f" and entry.mode & 0o111)
        if runnable and any(fnmatch.fnmatchcase(path, p) for p in patterns):
            found.append("/" + path)
    return sorted(found)


def _any(report: ImageReport, names: tuple[str, ...]) -> bool:
    return bool(_found(report, names))


def compiler_names(paths: list[str]) -> list[str]:
    """The programs' names (``javac``), once each, for a table cell."""
    return sorted({posixpath.basename(p) for p in paths})


APK_DATABASE = "lib/apk/db/installed"  # Alpine: one file, a "P:<name>" line per package


def apk_packages(database: str) -> int:
    """Packages in Alpine's database: one ``P:`` line each."""
    return sum(1 for line in database.splitlines() if line.startswith("P:"))


def _package_count(report: ImageReport) -> int | None:
    """Debian's dpkg (a .list per package, or distroless's status.d), else Alpine's apk."""
    fs = report.fs.files
    dpkg = [p for p in fs if p.startswith("var/lib/dpkg/info/") and p.endswith(".list")]
    status_d = [p for p in fs if p.startswith("var/lib/dpkg/status.d/")]
    if dpkg or status_d:
        return len(dpkg) or len(status_d)
    if APK_DATABASE in fs:
        from slimlab import engine

        data = engine.read_image_file(report.ref, "/" + APK_DATABASE)
        return apk_packages(data.decode(errors="replace")) if data is not None else None
    return None


def surface(report: ImageReport) -> Surface:
    fs = report.fs.files
    setuid = sum(1 for entry, _ in fs.values() if entry.kind == "f" and entry.mode & 0o4000)
    packages = _package_count(report)
    compilers = _found(report, COMPILERS)
    return Surface(
        shell=_any(report, SHELLS),
        package_manager=_any(report, PACKAGE_MANAGERS),
        compiler=bool(compilers),
        maven=_any(report, ("bin/mvn",)),
        setuid_files=setuid,
        user=report.user,
        packages=packages,
        compilers=compilers,
    )
