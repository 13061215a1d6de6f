"""minigrad.compile with the optimiser's step inside the compiled step: parameters, every .grad and
the optimiser's state are bit-identical to the eager step over many calls; what a replay would
not do (a scheduler's step, settings changed inside, hooks, a .grad changed in place) is refused."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.functional as F
from minigrad import Tensor, nn, optim
from minigrad.tracing import TracingError

# name -> a strategy for (optimiser class, its keyword arguments)
OPTIMISERS = {
    "SGD": st.fixed_dictionaries(
        {
            "lr": st.sampled_from([0.01, 0.1]),
            "momentum": st.sampled_from([0.0, 0.9]),
            "weight_decay": st.sampled_from([0.0, 1e-2]),
            "maximize": st.booleans(),
        }
    ).flatmap(
        lambda kw: st.fixed_dictionaries(
            {"nesterov": st.booleans(), "dampening": st.just(0.0)}
            if kw["momentum"]
            else {"nesterov": st.just(False), "dampening": st.sampled_from([0.0, 0.5])}
        ).map(lambda more: {**kw, **more})
    ),
    "Adam": st.fixed_dictionaries(
        {
            "lr": st.sampled_from([1e-3, 0.05]),
            "betas": st.sampled_from([(0.9, 0.999), (0.5, 0.9)]),
            "weight_decay": st.sampled_from([0.0, 1e-2]),
            "amsgrad": st.booleans(),
            "maximize": st.booleans(),
        }
    ),
    "AdamW": st.fixed_dictionaries(
        {"lr": st.sampled_from([1e-3, 0.05]), "weight_decay": st.sampled_from([0.0, 0.1]), "amsgrad": st.booleans()}
    ),
    "RMSprop": st.fixed_dictionaries(
        {
            "lr": st.sampled_from([1e-3, 0.01]),
            "momentum": st.sampled_from([0.0, 0.5]),
            "centered": st.booleans(),
            "weight_decay": st.sampled_from([0.0, 1e-2]),
        }
    ),
}

# where the step clears the gradients, and how
ZEROING = {
    "opt.zero_grad() last": ("after", lambda m, opt: opt.zero_grad()),
    "opt.zero_grad() first": ("before", lambda m, opt: opt.zero_grad()),
    "model.zero_grad() first": ("before", lambda m, opt: m.zero_grad()),
    "opt.zero_grad(set_to_none=False) last": ("after", lambda m, opt: opt.zero_grad(set_to_none=False)),
    "model.zero_grad(set_to_none=False) first": ("before", lambda m, opt: m.zero_grad(set_to_none=False)),
    "never (the gradients add up)": ("never", None),
}


def train_step(model, opt, zeroing, x, y):
    """The step as its users write it: forward, backward, the optimiser's step, zero_grad first or last."""
    when, zero = ZEROING[zeroing]
    if when == "before":
        zero(model, opt)
    loss = F.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    if when == "after":
        zero(model, opt)
    return loss


def assert_identical(model, twin, opt, twin_opt, what):
    """Parameters, .grad and every running value of the optimiser equal to the bit."""
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        assert np.array_equal(p.numpy(), q.numpy()), f"{what}: {name}"
        assert (p.grad is None) == (q.grad is None), f"{what}: {name}.grad"
        if p.grad is not None:
            assert np.array_equal(p.grad.numpy(), q.grad.numpy()), f"{what}: {name}.grad"
        mine, theirs = opt.state.get(p, {}), twin_opt.state.get(q, {})
        assert mine.keys() == theirs.keys(), f"{what}: {name}'s state"
        for key in mine:
            assert type(mine[key]) is type(theirs[key]), f"{what}: {name}'s {key}"
            assert np.array_equal(mine[key], theirs[key]), f"{what}: {name}'s {key}"


def compiled_and_eager(make_model, make_opt, zeroing):
    model = make_model()
    twin = copy.deepcopy(model)
    opt, twin_opt = make_opt(model), make_opt(twin)
    step = minigrad.compile(lambda x, y: train_step(model, opt, zeroing, x, y))
    return model, twin, opt, twin_opt, step


@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(sorted(OPTIMISERS)),
    data=st.data(),
    zeroing=st.sampled_from(sorted(ZEROING)),
    dtype=st.sampled_from([np.float64, np.float32]),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_optimiser_step_replays_bit_identically_to_eager(name, data, zeroing, dtype, seed):
    options = data.draw(OPTIMISERS[name], label="options")
    rng = np.random.default_rng(seed)

    def make_model():
        model = nn.Sequential(nn.Linear(3, 4, rng=rng), nn.Tanh(), nn.Linear(4, 2, rng=rng))
        for p in model.parameters():
            p.data = Tensor(p.numpy().astype(dtype))
        return model

    model, twin, opt, twin_opt, step = compiled_and_eager(
        make_model, lambda m: getattr(optim, name)(m.parameters(), **options), zeroing
    )
    for call in range(6):
        x = Tensor(rng.normal(size=(5, 3)).astype(dtype))
        y = Tensor(rng.normal(size=(5, 2)).astype(dtype))
        replayed, eager = step(x, y), train_step(twin, twin_opt, zeroing, x, y)
        assert np.array_equal(replayed.numpy(), eager.numpy()), f"call {call}: loss"
        assert_identical(model, twin, opt, twin_opt, f"call {call}")
    assert (step.traces, step.replays) == (2, 4)


def small_mlp():
    return nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))


def batches(n, seed=0):
    rng = np.random.default_rng(seed)
    return [(Tensor(rng.normal(size=(4, 2))), Tensor(rng.normal(size=(4, 1)))) for _ in range(n)]


def test_the_program_shows_the_optimiser_step_apart():
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    step = minigrad.compile(lambda x, y: train_step(model, opt, "opt.zero_grad() last", x, y))
    for x, y in batches(3):
        step(x, y)
    listing = str(step.program)
    assert "# optimiser step: SGD(lr=0.1, momentum=0.9, dampening=0.0" in listing
    assert "p2_state['momentum_buffer'] = " in listing and "p2 += u" in listing
    assert listing.index("# gradients, into .grad") < listing.index("# optimiser step") < listing.index("# zero_grad")
    assert "p2.grad = None" in listing


def test_two_groups_an_unused_parameter_and_a_second_optimiser():
    def make():
        model, unused = small_mlp(), nn.Parameter(np.ones(3))
        unused.grad = Tensor(np.full(3, 0.5))  # NOTE: stepped at every call, as eagerly, with its old gradient
        first = optim.Adam([{"params": model[0].parameters(), "lr": 0.01}, {"params": [unused]}], lr=0.1)
        second = optim.SGD(model[2].parameters(), lr=0.05, momentum=0.5)
        return model, unused, first, second

    def fn(model, first, second, x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        first.step()
        second.step()
        model.zero_grad()
        return loss

    (model, unused, first, second), (twin, twin_unused, twin_first, twin_second) = make(), make()
    step = minigrad.compile(lambda x, y: fn(model, first, second, x, y))
    for x, y in batches(5):
        step(x, y)
        fn(twin, twin_first, twin_second, x, y)
        assert_identical(model, twin, first, twin_first, "Adam")
        assert_identical(model, twin, second, twin_second, "SGD")
        assert np.array_equal(unused.numpy(), twin_unused.numpy())
    assert step.replays == 3


def test_a_scheduler_outside_the_step_and_a_new_state_trace_again():
    model, twin = small_mlp(), small_mlp()
    opt, twin_opt = optim.Adam(model.parameters(), lr=0.1), optim.Adam(twin.parameters(), lr=0.1)
    schedulers = [optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5) for o in (opt, twin_opt)]
    step = minigrad.compile(lambda x, y: train_step(model, opt, "opt.zero_grad() last", x, y))
    for i, (x, y) in enumerate(batches(12)):
        step(x, y)
        train_step(twin, twin_opt, "opt.zero_grad() last", x, y)
        for scheduler in schedulers:
            scheduler.step()
        if i == 7:  # NOTE: a fresh state, as when resuming: the next step is Adam's first again
            for o in (opt, twin_opt):
                o.load_state_dict({**o.state_dict(), "state": {}})
        assert_identical(model, twin, opt, twin_opt, f"call {i}")
    assert step.replays > 0 and step.traces > 2  # NOTE: a new learning rate, or a new state, is traced anew


def call_three_times(fn):
    step = minigrad.compile(fn)
    for x, y in batches(3):
        step(x, y)


def refused(match):
    return pytest.raises(TracingError, match=match)


def test_refuses_a_scheduler_stepping_inside():
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=10)

    def fn(x, y):
        loss = train_step(model, opt, "opt.zero_grad() last", x, y)
        scheduler.step()
        return loss

    with refused(r"StepLR.step\(\) changes the learning rate in Python"):
        call_three_times(fn)
    assert scheduler.last_epoch == 0


@pytest.mark.parametrize("where", ["before the step", "after the step"])
def test_refuses_settings_changed_inside(where):
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    rates = iter([0.1, 0.05, 0.02, 0.01])

    def fn(x, y):
        if where == "before the step":
            opt.param_groups[0]["lr"] = next(rates)
        loss = train_step(model, opt, "opt.zero_grad() last", x, y)
        if where == "after the step":
            opt.param_groups[0]["lr"] = next(rates)
        return loss

    with refused("SGD's settings .* changed inside the step"):
        call_three_times(fn)


def test_refuses_step_hooks():
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    opt.register_step_post_hook(lambda *args: None)
    with refused("SGD has step hooks"):
        call_three_times(lambda x, y: train_step(model, opt, "opt.zero_grad() last", x, y))


def test_refuses_a_gradient_clipped_in_place_and_a_grad_set_by_hand():
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def clipped(x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        with minigrad.no_grad():
            for p in model.parameters():
                p.grad.mul_(0.5)
        opt.step()
        opt.zero_grad()
        return loss

    with refused(r"\.grad of a parameter of shape .* was changed in place inside the step"):
        call_three_times(clipped)
    model.zero_grad()

    def by_hand(x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        model[0].bias.grad = Tensor(np.ones(3))
        opt.step()
        opt.zero_grad()
        return loss

    with refused(r"\.grad of a parameter of shape \(3,\) was set by hand"):
        call_three_times(by_hand)


def test_refuses_an_op_reading_a_parameter_after_the_step():
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def fn(x, y):
        loss = train_step(model, opt, "opt.zero_grad() last", x, y)
        with minigrad.no_grad():
            after = F.mse_loss(model(x), y)
        return loss, after

    with refused("an op reads a parameter of shape .* after an optimiser step changed it"):
        call_three_times(fn)


def test_a_hand_written_update_is_still_refused():
    model = small_mlp()

    def fn(x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        with minigrad.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
        model.zero_grad()
        return loss

    with refused("changed in place during the step"):
        call_three_times(fn)


def test_a_replay_counts_the_change_of_each_parameter():
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    step = minigrad.compile(lambda x, y: train_step(model, opt, "opt.zero_grad() last", x, y))
    data = batches(4)
    for x, y in data[:3]:
        step(x, y)
    kept = model(data[0][0]).sum()  # NOTE: a graph that saved the weights, which the next replay changes
    step(*data[3])
    assert step.replays == 2
    with pytest.raises(RuntimeError, match="modified in place"):
        kept.backward()


def test_refuses_an_update_that_reads_an_array_from_outside():
    class Noisy(optim.SGD):
        """SGD whose update adds a fixed array: a replay would keep this call's array."""

        def _update(self, p, grad, state, group):
            super()._update(p, grad + np.array(0.5), state, group)

    model = small_mlp()
    opt = Noisy(model.parameters(), lr=0.1)
    with refused(r"the optimiser.s update reads an array of shape \(\) that is not a parameter"):
        call_three_times(lambda x, y: train_step(model, opt, "opt.zero_grad() last", x, y))


def test_refuses_an_update_that_changes_the_optimiser_in_python():
    class Counting(optim.SGD):
        """SGD that counts its updates in an attribute: a replay runs no Python."""

        updates = 0

        def _update(self, p, grad, state, group):
            self.updates += 1
            super()._update(p, grad, state, group)

    model = small_mlp()
    opt = Counting(model.parameters(), lr=0.1)
    with refused("Counting's update changes its own attributes or settings in Python"):
        call_three_times(lambda x, y: train_step(model, opt, "opt.zero_grad() last", x, y))
    assert opt.updates == 4  # NOTE: the eager step's, not the symbolic run's


@pytest.mark.parametrize("set_to_none", [True, False])
def test_a_zero_grad_right_after_backward_is_replayed(set_to_none):
    def fn(model, x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        model.zero_grad(set_to_none=set_to_none)  # NOTE: nothing in between sees the walk's .grad
        return loss

    model = small_mlp()
    twin = copy.deepcopy(model)
    step = minigrad.compile(lambda x, y: fn(model, x, y))
    for x, y in batches(4):
        step(x, y)
        fn(twin, x, y)
        for p, q in zip(model.parameters(), twin.parameters()):
            assert (p.grad is None) == (q.grad is None) == set_to_none
            assert p.grad is None or np.array_equal(p.grad.numpy(), q.grad.numpy())
    assert step.replays == 2
