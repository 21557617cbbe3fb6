"""slimlab doctor on the engine the tests run on: healthy, and it names the right store."""

from __future__ import annotations

import os

import pytest
from slimlab.engine import doctor

pytestmark = pytest.mark.engine


def test_this_engine_passes_the_doctor(engine):
    found = {f.what: f for f in doctor.findings()}
    assert doctor.healthy(list(found.values())), found
    assert found["buildx"].found.startswith("buildx ")
    store = os.environ.get("SLIMLAB_STAGE_STORE")  # CI says which store it started
    if store:
        assert found["image store"].found.split()[0] == store
