"""Slimlab: build, run, measure and check the bookshelf image variants, one line each.

Notebooks import only this face::

    import slimlab as sl
    sl.setup("01-layers")            # engine, profile, base images, mirror
    sl.build("basic")                # BuildResult: seconds, steps, cached steps, log
    with sl.run("basic") as app:     # ready on 127.0.0.1, always removed
        app.get("/api/books")
    sl.measure("basic")              # size, pull size, layers, wasted bytes, surface
    sl.check("01-layers", "app answers", status, equals=200)

Importing never touches the engine; the first call that needs it connects.
"""

from slimlab import anatomy, economics, jlink, native, report
from slimlab.checkpoints import load_measurements, load_results
from slimlab.errors import (
    BaseImageMissing,
    BuildFailed,
    CheckpointFailed,
    ConfigError,
    ContainerFailed,
    EngineUnavailable,
    PortBusy,
    SlimlabError,
)
from slimlab.session import setup
from slimlab.workbook import (
    bases_table,
    build,
    check,
    cleanup,
    contents_check,
    context_size,
    delivery,
    ensure,
    image,
    measure,
    run,
    startup,
)

__all__ = [
    "BaseImageMissing",
    "BuildFailed",
    "CheckpointFailed",
    "ConfigError",
    "ContainerFailed",
    "EngineUnavailable",
    "PortBusy",
    "SlimlabError",
    "anatomy",
    "bases_table",
    "build",
    "check",
    "cleanup",
    "contents_check",
    "context_size",
    "delivery",
    "economics",
    "ensure",
    "image",
    "jlink",
    "load_measurements",
    "load_results",
    "measure",
    "native",
    "report",
    "run",
    "setup",
    "startup",
]
