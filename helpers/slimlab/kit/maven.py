"""Maven for classrooms without Maven Central: fetch Maven's own distribution with the
machine's Maven (it is an artifact on the default repository), then fill a repository by
running every goal the labs' Dockerfiles run, with that same Maven 3.9 (a 3.8 priming
misses plugins that 3.9's ``dependency:go-offline`` asks for).

The goals live in one place: ``sample-app/scripts/prime-maven-repo.sh``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
from pathlib import Path

from slimlab import config
from slimlab.errors import KitError
from slimlab.kit import tools

STAMP = ".slimlab-primed"


def java25_home() -> str:
    script = config.repo_root() / "sample-app" / "scripts" / "java-home.sh"
    result = tools.run_tool(["bash", str(script)], what="Finding a JDK 25",
                            timeout=2 * tools.MINUTE)
    if result.returncode != 0:
        raise KitError("No JDK 25 on this machine for priming the Maven repository.",
                       hint=result.stderr.strip() or "Install a JDK 25 and set JAVA_HOME.")
    return result.stdout.strip()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["JAVA_HOME"] = java25_home()
    env["PATH"] = f"{env['JAVA_HOME']}/bin:{env['PATH']}"
    env.setdefault("MAVEN_OPTS", "--sun-misc-unsafe-memory-access=allow")
    return env


def distribution() -> Path:
    """Maven's ``-bin.tar.gz`` in SLIMLAB_HOME/downloads, fetched once by the machine's mvn."""
    version = config.maven_version()
    downloads = config.home() / "downloads"
    target = downloads / f"apache-maven-{version}-bin.tar.gz"
    if target.exists():
        return target
    if shutil.which("mvn") is None:
        raise KitError("The machine's `mvn` is needed once, to fetch Maven "
                       f"{version}; none is installed.",
                       hint="Install Maven (`sudo apt-get install maven`), then retry.")
    downloads.mkdir(parents=True, exist_ok=True)
    result = tools.run_tool(
        ["mvn", "-B", "-ntp", "-q", "dependency:copy",
         f"-Dartifact=org.apache.maven:apache-maven:{version}:tar.gz:bin",
         f"-DoutputDirectory={downloads}"],
        what=f"Fetching Maven {version}", timeout=15 * tools.MINUTE, env=_env(), cwd=downloads)
    if result.returncode != 0 or not target.exists():
        raise KitError(f"Fetching Maven {version}'s distribution failed.",
                       hint="Check that the machine's Maven reaches its repository.",
                       log="\n".join((result.stdout + result.stderr).splitlines()[-15:]))
    return target


def maven_home() -> Path:
    """Maven's distribution unpacked under SLIMLAB_HOME (for priming on the host)."""
    version = config.maven_version()
    home = config.home() / f"apache-maven-{version}"
    if not (home / "bin" / "mvn").exists():
        with tarfile.open(distribution()) as tar:
            tar.extractall(config.home(), filter="tar")
    return home


def _goals_script() -> Path:
    return config.repo_root() / "sample-app" / "scripts" / "prime-maven-repo.sh"


def recipe() -> str:
    """What the repository's content depends on: the pom, the goals, the Maven version."""
    digest = hashlib.sha256()
    for path in (config.repo_root() / "sample-app" / "pom.xml", _goals_script()):
        digest.update(path.read_bytes())
    digest.update(config.maven_version().encode())
    return digest.hexdigest()[:16]


def is_primed(repo: Path | None = None) -> bool:
    stamp = Path(repo or config.maven_repo()) / STAMP
    return stamp.exists() and stamp.read_text().strip() == recipe()


def prime(repo: Path | None = None, force: bool = False) -> Path:
    """Fill ``repo`` (default SLIMLAB_MAVEN_REPO) unless it is already primed for this pom."""
    repo = Path(repo or config.maven_repo())
    if is_primed(repo) and not force:
        return repo
    repo.mkdir(parents=True, exist_ok=True)
    env = _env()
    env["MVN"] = str(maven_home() / "bin" / "mvn")
    env["PRIME_MODES"] = "online"  # builds through the mirror prove it complete
    # Its scratch checkouts and logs stay out of sample-app/, the labs' build context: before
    # lab 01's .dockerignore exercise they would ship inside bookshelf:basic (73 MB).
    proofs = config.home() / "build-proofs"
    env["SLIMLAB_PROOFS_DIR"] = str(proofs)
    result = tools.run_tool(["bash", str(_goals_script()), str(repo)], env=env,
                       what="Priming the Maven repository", timeout=60 * tools.MINUTE)
    if result.returncode != 0:
        raise KitError("Priming the Maven repository failed.",
                       hint=f"Read the lines above; the full logs are under "
                       f"{proofs / 'maven-goals'}/.",
                       log="\n".join((result.stdout + result.stderr).splitlines()[-20:]))
    (repo / STAMP).write_text(recipe() + "\n")
    return repo
