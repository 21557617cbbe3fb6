"""The command line that `make` calls: `slimlab kit build`, `slimlab mirror serve`,
`slimlab bundle save|load`, `slimlab student`, `slimlab grade`, `slimlab clean`,
`slimlab doctor`. Every Slimlab error ends as its message and hint, never a traceback."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from slimlab.errors import LOG_LINES, SlimlabError
from slimlab.grade import LEARNER_TIMEOUT

ERROR_EXIT = 1  # a Slimlab error (usage errors keep click's 2)


def one_line(exc: SlimlabError) -> str:
    """The error and what to do about it on one line, so `make` output stays readable."""
    text = " ".join(exc.message.split())
    hint = " ".join(exc.hint.split())
    return f"slimlab: {text}" + (f" What to do: {hint}" if hint else "")


def _typed_sdk_error(exc: Exception) -> SlimlabError | None:
    """The typed error for a raw Docker SDK or HTTP error (a timeout, a lost connection)
    that slipped past the engine's door; None for anything else."""
    if "docker" not in sys.modules and "requests" not in sys.modules:
        return None  # neither was imported, so neither raised (and `docker` stays unloaded)
    from slimlab import engine

    return engine.short_error(exc) if isinstance(exc, engine.sdk_errors()) else None


class SlimlabGroup(TyperGroup):
    """The command group that turns a Slimlab error inside any command, sub-commands
    included, into its one-line message and a non-zero exit instead of a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except SlimlabError as exc:
            error = exc
        except Exception as exc:
            typed = _typed_sdk_error(exc)
            if typed is None:
                raise  # typer.Exit, a usage error, or a bug whose traceback a maintainer needs
            error = typed
        typer.echo(one_line(error), err=True)
        for line in error.log.rstrip().splitlines()[-LOG_LINES:]:
            typer.echo(f"    {line}", err=True)  # the lines that say why, when there are any
        raise typer.Exit(ERROR_EXIT) from None


app = typer.Typer(help="Slimlab: prepare, serve, grade and clean the workbook.",
                  cls=SlimlabGroup, no_args_is_help=True, add_completion=False)
kit_app = typer.Typer(help="Base images from Debian packages, and the Maven repository.",
                      no_args_is_help=True)
mirror_app = typer.Typer(help="The Maven mirror on 127.0.0.1.", no_args_is_help=True)
bundle_app = typer.Typer(help="Save or load a classroom bundle.", no_args_is_help=True)
app.add_typer(kit_app, name="kit")
app.add_typer(mirror_app, name="mirror")
app.add_typer(bundle_app, name="bundle")


@app.command()
def doctor() -> None:
    """Check Docker (engine version, image store, buildx, socket) with a fix for each gap,
    then show which base images the labs will use."""
    from slimlab.engine import doctor as checks
    from slimlab.session import setup

    found = checks.findings()
    for item in found:
        typer.echo(f"{item.what:>14}  {item.status:4}  {item.found}")
        if item.fix:
            typer.echo(f"{'':>20}fix: {item.fix}")
    if not checks.healthy(found):
        raise typer.Exit(1)
    setup("doctor")


@app.command()
def prepare() -> None:
    """Get the base images the labs need: pull the missing upstream ones with progress, or
    fall back to the kit (built, or kept) with its Maven repository; see kit.prepare."""
    from slimlab.kit import prepare as preparing

    if preparing.prepare(echo=typer.echo) == "kit":
        kit_build(force=False, only=None, maven_repo=True)


@kit_app.command("build")
def kit_build(
    force: bool = typer.Option(False, "--force", help="Rebuild even when up to date."),
    only: list[str] | None = typer.Option(None, "--only", help="Build just these kit images."),
    maven_repo: bool = typer.Option(True, help="Also prime the Maven repository."),
) -> None:
    """Build the kit's base images (a no-op when they are current) and prime the Maven
    repository that the labs' builds read through the mirror."""
    from slimlab.kit import images, maven

    started = time.monotonic()
    images.build_kit(force=force, only=only or None)
    if maven_repo:
        step = time.monotonic()
        primed = maven.is_primed()
        repo = maven.prime(force=force)
        what = "present" if primed and not force else "primed"
        typer.echo(f"kit: Maven repository {repo} {what} in {time.monotonic() - step:.1f} s")
    typer.echo(f"kit: ready in {time.monotonic() - started:.1f} s")


@kit_app.command("list")
def kit_list() -> None:
    """The kit images on this machine, what each stands in for, and their packages."""
    from slimlab.kit.images import kit_images

    for row in kit_images():
        typer.echo(f"{row['image']:34} stands in for {row['stands in for']}")
        typer.echo(f"{'':34} {row['note']}; {row['packages']}")


@mirror_app.command("serve")
def mirror_serve(
    port: int = typer.Option(0, help="Port on 127.0.0.1 (0: a free one)."),
    repo: Path | None = typer.Option(None,
                                     help="Repository to serve (default SLIMLAB_MAVEN_REPO)."),
) -> None:
    """Serve the Maven repository until Ctrl+C (builds started elsewhere can use it with
    SLIMLAB_MAVEN_MIRROR=<url>)."""
    import logging

    from slimlab.kit import mirror

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with mirror.serve(repo, port) as running:
        typer.echo(f"Maven mirror of {running.root} on {running.url} (Ctrl+C stops it)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            typer.echo(f"served {running.stats.served} files, "
                       f"{len(running.stats.missing)} missing")


@bundle_app.command("save")
def bundle_save(directory: Path) -> None:
    """Write the kit images and the Maven repository, with checksums, into DIRECTORY."""
    from slimlab.kit import bundle

    manifest = bundle.save(directory)
    typer.echo(f"bundle written to {directory}: {manifest}")


@bundle_app.command("load")
def bundle_load(directory: Path) -> None:
    """Verify a bundle completely, then load its images and Maven repository."""
    from slimlab.kit import bundle

    manifest = bundle.load(directory)
    typer.echo(f"bundle loaded from {directory}: {manifest}")


@app.command()
def student(
    out: Path = typer.Argument(Path("build/attendee"), help="Folder to write."),
    force: bool = typer.Option(False, "--force", help="Replace a non-empty folder."),
) -> None:
    """Write the attendee edition: solutions replaced by prompts, outputs cleared."""
    from slimlab import edition

    report = edition.write(out, force=force)
    typer.echo(report.summary())


@app.command()
def grade(
    submissions: Path = typer.Argument(Path("."), help="One folder per learner, or this "
                                       "repository for this machine's own results."),
    out: Path = typer.Option(Path("build/grades"), help="Where the CSV and report go."),
    cell_timeout: int = typer.Option(1800, help="Seconds one cell may take."),
    learner_timeout: int = typer.Option(LEARNER_TIMEOUT, help="Seconds one learner may take."),
) -> None:
    """Re-execute every learner's notebooks against the engine and score the checkpoints."""
    from slimlab import grade as grading

    code = grading.main(submissions, out, cell_timeout=cell_timeout,
                        learner_timeout=learner_timeout)
    raise typer.Exit(code)


@app.command()
def clean(kit: bool = typer.Option(False, "--kit", help="Also remove the kit images.")) -> None:
    """Remove every container and image Slimlab made (the kit stays unless --kit)."""
    from slimlab import engine

    removed = engine.cleanup(include_kit=kit)
    typer.echo(f"removed {removed['containers']} container(s), {removed['images']} image(s)")


def main() -> None:
    """The `slimlab` entry point (also `python -m slimlab.cli`, as `make` runs it)."""
    app(prog_name="slimlab")


if __name__ == "__main__":
    main()
