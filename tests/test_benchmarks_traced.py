"""benchmarks/traced.py: every way of taking W1's step is measured, and the traced whole step (the
optimiser's update inside) trains the network exactly as the eager step does."""

import numpy as np

from benchmarks import problems, traced


def test_every_step_is_measured_with_its_tracing_cost():
    result = traced.cpu_per_step(problems.W1, repeats=1)
    assert set(result["cpu"]) == set(traced.STEPS) and all(s > 0 for s in result["cpu"].values())
    assert len(result["tracing"]) == 2 and min(result["tracing"]) > 0
    lines = traced.table("W1", result)
    assert any(line.startswith("| minigrad (traced) |") and line.endswith("x |") for line in lines)


def test_the_traced_whole_step_gives_the_eager_steps_losses_and_weights_to_the_bit():
    steps, _ = traced.make_steps(problems.W1)
    eager, whole = steps["minigrad"], steps["minigrad (traced)"]
    for _ in range(2):  # NOTE: the first two calls of the traced step have run in make_steps
        eager()
    losses = [(eager(), whole()) for _ in range(3)]
    assert all(a == b for a, b in losses)
    for p, q in zip(eager.model.parameters(), whole.model.parameters()):
        assert np.array_equal(p.numpy(), q.numpy())
