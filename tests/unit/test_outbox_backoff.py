from __future__ import annotations

import random

from router.outbox import backoff_delay


def test_full_jitter_stays_within_the_exponential_ceiling() -> None:
    rng = random.Random(7)
    for attempt in range(1, 12):
        ceiling = min(60.0, 0.5 * 2 ** (attempt - 1))
        delays = [backoff_delay(attempt, base=0.5, cap=60.0, rng=rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # jitter spreads over the whole range, not a fixed value


def test_the_cap_bounds_late_attempts() -> None:
    rng = random.Random(1)
    assert all(backoff_delay(50, base=1.0, cap=3.0, rng=rng) <= 3.0 for _ in range(100))
