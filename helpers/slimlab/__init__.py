"""Slimlab: build, run, measure and check the bookshelf image variants, one line each.

Notebooks import only this face::

    import slimlab as sl
    sl.setup("01-layers")            # engine, profile, base images, mirror
    sl.build("basic")                # BuildResult: seconds, steps, cached steps, log
    with sl.run("basic") as app:     # ready on 127.0.0.1, always removed
        app.get("/api/books")
    sl.measure("basic")              # size, pull size, layers, wasted bytes, surface
    sl.check("01-layers", "app answers", status, equals=200)
    sl.hint("cleanup", 1)            # an exercise's hints, one level at a time

Each lab's demonstrations live in a module named after it (``sl.layers``, ``sl.multistage``,
``sl.jre``, ``sl.jlink``, ``sl.native``); the tables and views they share are ``sl.views``.

Importing never touches the engine; the first call that needs it connects.
"""

from slimlab import economics, report, views
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
from slimlab.hints import hint, reveal
from slimlab.labs import jlink, jre, layers, multistage, native
from slimlab.predictions import compare as prediction
from slimlab.predictions import predict
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
    "bases_table",
    "build",
    "check",
    "cleanup",
    "contents_check",
    "context_size",
    "delivery",
    "economics",
    "ensure",
    "hint",
    "image",
    "jlink",
    "jre",
    "layers",
    "load_measurements",
    "load_results",
    "measure",
    "multistage",
    "native",
    "predict",
    "prediction",
    "report",
    "reveal",
    "run",
    "setup",
    "startup",
    "views",
]
