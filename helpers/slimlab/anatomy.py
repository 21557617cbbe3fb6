"""Lab 01's demonstrations of image anatomy: immutable layers, copy-on-write, the build cache."""

from __future__ import annotations
