"""Hypothesis draws: the suite (the README's test command, .ci/run) draws the same examples every
time, so a run is judged on the code and not on the luck of the draw. GCOLLECT_EXPLORE=1 draws new
ones each run, which is how the property tests keep finding new cases; pin each one found with
@example."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("fixed", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("GCOLLECT_EXPLORE") == "1" else "fixed")
