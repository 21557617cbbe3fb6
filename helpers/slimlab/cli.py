"""The command line that `make` calls: `slimlab kit build`, `slimlab mirror serve`,
`slimlab bundle save|load`, `slimlab student`, `slimlab grade`, `slimlab clean`,
`slimlab doctor`. Every Slimlab error ends as its message and hint, never a traceback."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from slimlab.errors import SlimlabError
from slimlab.grade import LEARNER_TIMEOUT

app = typer.Typer(help="Slimlab: prepare, serve, grade and clean the workbook.",
                  no_args_is_help=True, add_completion=False)
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
    """Get base images ready for the profile: nothing to do when every upstream image is
    here, pulls when SLIMLAB_PULL=1, otherwise builds the kit and primes its Maven repo."""
    from slimlab import config
    from slimlab.kit import bases

    profile = config.profile()
    wanted = [b for b in bases.BASES if b.kit]  # the native builder is optional
    missing = [b.upstream for b in wanted if not bases.available(b.arg, "upstream")]
    if profile != "kit" and not missing:
        typer.echo("prepare: every upstream base image is here; no kit needed")
        return
    if profile != "kit" and config.pull_allowed():
        from slimlab import engine

        for ref in missing:
            typer.echo(f"prepare: pulling {ref}")
            engine.pull(ref)
        return
    if profile == "upstream":
        raise SlimlabError(f"Profile upstream, but {', '.join(missing)} missing.",
                           hint="Pull them (SLIMLAB_PULL=1 make lab) or use the kit.")
    typer.echo(f"prepare: {len(missing)} upstream image(s) missing; using the kit")
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
    try:
        app()
    except SlimlabError as exc:
        typer.echo(f"slimlab: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
