"""Hypothesis profiles: `dev` (fast, the default, a fresh random sample each run) and `ci`
(thorough and derandomized, so a CI verdict is reproducible; .ci/run selects it with
HYPOTHESIS_PROFILE=ci). A `soak` profile runs many random examples to hunt for rare
failures: HYPOTHESIS_PROFILE=soak python -m pytest tests/test_ops.py"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "dev", max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "soak", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
