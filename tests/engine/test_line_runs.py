"""The lines' compiled run within their feed is the array rule's, bit for bit (engine/line_runs.py)."""

from __future__ import annotations

import numpy as np

from critmin.engine.line_runs import run_lines


def by_the_array_rule(running, feed_stock, yield_share, chain, feed_used) -> np.ndarray:
    """What `production.run_lines` did before the compiled pass."""
    output = running.copy()
    for s in range(1, output.shape[2]):
        feed = feed_stock[:, :, s - 1] * yield_share[None, :, s]
        output[:, :, s] = np.minimum(running[:, :, s], feed)
        used = np.divide(output[:, :, s], yield_share[None, :, s])
        feed_stock[:, :, s - 1] -= used
        feed_used[:, :, s - 1] = used
    return output * chain[None]


def test_the_run_is_the_array_rule():
    rng = np.random.default_rng(14)
    shape = (6, 5, 3)
    running = np.where(rng.random(shape) < 0.2, 0.0, rng.lognormal(0, 2, shape))
    feed = np.where(rng.random(shape) < 0.2, 0.0, rng.lognormal(0, 2, shape))
    yield_share = np.where(rng.random(shape[1:]) < 0.1, 0.0, rng.random(shape[1:]))
    chain = rng.random(shape[1:]) < 0.7
    running[0, 0, 1], feed[1, 1, 0], running[2, 2, 2] = np.nan, np.inf, -0.0
    arrays, compiled = (feed.copy(), np.zeros(shape)), (feed.copy(), np.zeros(shape))
    with np.errstate(all="ignore"):
        output = by_the_array_rule(running, arrays[0], yield_share, chain, arrays[1])
        got = run_lines(running, compiled[0], yield_share, chain, compiled[1])
    assert got.tobytes() == output.tobytes()
    assert compiled[0].tobytes() == arrays[0].tobytes() and compiled[1].tobytes() == arrays[1].tobytes()
