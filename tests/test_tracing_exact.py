"""minigrad.compile, pinned where a user would notice a difference: each replay bit-identical to the
eager step (.grad, parameters, the optimiser's state) in the corners of the step's effects (two
backward passes, gradients already there, zero_grad both ways), every .grad an array of its own,
what a replay requires before it runs, each refusal's whole message and the listing's lines."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

import minigrad
import minigrad.functional as F
from minigrad import Tensor, nn, optim
from minigrad.tracing import TracingError


def small_mlp():
    return nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))


def batches(n, seed=0):
    rng = np.random.default_rng(seed)
    return [(Tensor(rng.normal(size=(4, 2))), Tensor(rng.normal(size=(4, 1)))) for _ in range(n)]


def assert_identical(model, twin, what, opt=None, twin_opt=None):
    """Parameters, .grad (None where eager has None) and the optimiser's (or optimisers') state equal to the bit."""
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        assert np.array_equal(p.numpy(), q.numpy()), f"{what}: {name}"
        assert (p.grad is None) == (q.grad is None), f"{what}: {name}.grad is {p.grad}, eagerly {q.grad}"
        if p.grad is not None:
            assert np.array_equal(p.grad.numpy(), q.grad.numpy()), f"{what}: {name}.grad"
        for o, t in zip(*(x if isinstance(x, tuple) else (x,) for x in (opt, twin_opt))) if opt else ():
            mine, theirs = o.state.get(p, {}), t.state.get(q, {})
            assert mine.keys() == theirs.keys(), f"{what}: {name}'s state"
            for key in mine:
                assert np.array_equal(mine[key], theirs[key]), f"{what}: {name}'s {key}"


def refused_with(message):
    """The refusal whose whole message is ``message``."""
    return pytest.raises(TracingError, match=f"^{re.escape(message)}$")


def run_both(fn, make_opt=None, calls=5, before=None):
    """The step compiled on a model and eagerly on its twin, call after call; returns the compiled step."""
    model = small_mlp()
    twin = copy.deepcopy(model)
    opt, twin_opt = (make_opt(model), make_opt(twin)) if make_opt else (None, None)
    step = minigrad.compile(lambda x, y: fn(model, opt, x, y))
    for i, (x, y) in enumerate(batches(calls)):
        if before is not None:
            before(model), before(twin)
        replayed, eager = step(x, y), fn(twin, twin_opt, x, y)
        assert np.array_equal(replayed.numpy(), eager.numpy()), f"call {i}: the loss"
        assert_identical(model, twin, f"call {i}", opt, twin_opt)
    assert step.replays == calls - 2
    return step


# --- the gradients into .grad ---------------------------------------------------------------------------


def test_two_backward_passes_into_gradients_cleared_first_add_up_as_eagerly():
    def fn(model, opt, x, y):
        model.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        (model(x) ** 2).sum().backward()  # NOTE: the second pass adds to what the first stored
        return loss

    run_both(fn)


def test_gradients_accumulated_outside_are_stepped_with_and_then_cleared_as_eagerly():
    def fn(model, opt, x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss

    def accumulate_outside(model):  # NOTE: an eager backward before each call: .grad is not None at its start
        (model(Tensor(np.ones((1, 2)))) * 0.5).sum().backward()

    run_both(fn, lambda m: optim.SGD(m.parameters(), lr=0.1, momentum=0.9), before=accumulate_outside)


def test_a_zero_grad_to_none_first_and_to_zeros_last_leaves_zeros_as_eagerly():
    def fn(model, opt, x, y):
        opt.zero_grad()
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=False)
        return loss

    run_both(fn, lambda m: optim.Adam(m.parameters(), lr=0.05))


@pytest.mark.parametrize("stepped", [0, 2])
def test_an_optimiser_over_one_layer_clears_its_gradients_while_the_other_layers_add_up(stepped):
    def fn(model, opt, x, y):
        opt.zero_grad()  # NOTE: the other layer's .grad is never cleared: it adds up, call after call
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    run_both(fn, lambda m: optim.SGD(m[stepped].parameters(), lr=0.1))


def test_one_optimiser_clearing_its_gradients_last_while_another_lets_them_add_up():
    def fn(model, opts, x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opts[1].step()
        opts[0].step()
        opts[0].zero_grad()  # NOTE: the first layer's .grad only: the last layer's adds up
        return loss

    run_both(fn, lambda m: (optim.SGD(m[0].parameters(), lr=0.1), optim.SGD(m[2].parameters(), lr=0.1)))


def test_an_input_given_two_backward_passes_and_a_grad_already_there_gets_their_sum():
    w = Tensor([1.0, 2.0], requires_grad=True)

    def fn(x):
        (x * w).sum().backward()
        (x * x).sum().backward()  # NOTE: x's second gradient adds to its first

    step = minigrad.compile(fn)
    for i in range(4):
        x, twin = (Tensor([1.0 + i, -2.0], requires_grad=True) for _ in range(2))
        x.grad, twin.grad = Tensor([0.25, 0.5]), Tensor([0.25, 0.5])
        step(x)
        ((twin * w.detach()).sum() + (twin * twin).sum()).backward()
        assert np.array_equal(x.grad.numpy(), twin.grad.numpy()), f"call {i}"  # 0.25 + w + 2x, 0.5 + w + 2x
    assert step.replays == 2


def grads_of_their_own(tensors, what):
    """Each .grad a writeable array of its own: changing one in place changes no other, nor a later call's."""
    grads = [t.grad.numpy() for t in tensors]
    for i, g in enumerate(grads):
        assert g.flags.writeable, f"{what}: .grad {i} is read-only"
        for j in range(i):
            assert not np.shares_memory(g, grads[j]), f"{what}: .grad {i} and {j} share an array"
    return grads


def test_every_grad_a_replay_stores_is_an_array_of_its_own():
    w, u = Tensor(np.ones((2, 2)), requires_grad=True), Tensor(np.ones((2, 2)), requires_grad=True)
    v = Tensor(np.ones(4), requires_grad=True)

    def fn(x, y, z):
        # NOTE: Add hands one gradient array to x, y, w and u, and v a view of it; sum() a broadcast constant
        ((x + y + w + u + v.reshape(2, 2)) * x).sum().backward()
        (x.sum() + z.sum()).backward()

    step = minigrad.compile(fn)
    earlier = []
    for i in range(4):
        w.grad = u.grad = v.grad = None
        x = Tensor(np.full((2, 2), i + 1.0), requires_grad=True)
        y, z = Tensor(np.ones((2, 2)), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
        step(x, y, z)
        grads = grads_of_their_own([x, y, w, u, v, z], f"call {i}")
        a, b = 2.0 * i + 7.0, i + 1.0  # x.grad = 2x + y + w + u + v + 1, the others x
        assert [g.tolist() for g in grads] == [[[a, a]] * 2, *[[[b, b]] * 2] * 3, [b] * 4, [1.0] * 3]
        assert not any(np.shares_memory(g, e) for g in grads for e in earlier), f"call {i}: shares an earlier call's"
        earlier += grads
    assert step.replays == 2


# --- what a replay requires ----------------------------------------------------------------------------


def test_a_parameter_put_in_the_optimiser_in_place_of_another_is_followed():
    w = nn.Parameter([1.0])
    opt = optim.SGD([w], lr=0.1)

    def fn(x):
        (x * w).sum().backward()
        opt.step()
        opt.zero_grad()

    step = minigrad.compile(fn)
    for i in range(3):
        step(Tensor([2.0 + i]))
    assert step.replays == 1 and w.tolist() == pytest.approx([1.0 - 0.2 - 0.3 - 0.4])
    before = w.tolist()
    other = nn.Parameter(before)  # NOTE: equal in value, another tensor: the optimiser no longer steps w
    opt.param_groups[0]["params"] = [other]
    step(Tensor([5.0]))
    assert w.tolist() == before and other.tolist() == before  # eagerly: other has no gradient, w no optimiser
    assert w.grad is not None and w.grad.tolist() == [5.0]


def test_step_hooks_registered_between_calls_are_refused_by_the_next_call():
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def fn(x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss

    step = minigrad.compile(fn)
    data = batches(4)
    for x, y in data[:3]:
        step(x, y)
    opt.register_step_pre_hook(lambda *args: None)
    opt.register_step_post_hook(lambda *args: None)
    with pytest.raises(TracingError, match=r"^fn: SGD has step hooks, which a replay would not call$"):
        step(*data[3])  # NOTE: a replay would not call them; the call traces, and the trace refuses


def test_parameters_without_gradient_are_stepped_once_their_grad_is_set_outside():
    model, twin = small_mlp(), small_mlp()
    spares = [nn.Parameter([1.0, 2.0]), nn.Parameter([3.0])]  # NOTE: no op of the step reads them
    twin_spares = [nn.Parameter([1.0, 2.0]), nn.Parameter([3.0])]
    opt, twin_opt = (optim.SGD([*m.parameters(), *s], lr=0.1) for m, s in ((model, spares), (twin, twin_spares)))

    def fn(model, opt, x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    step = minigrad.compile(lambda x, y: fn(model, opt, x, y))
    for i, (x, y) in enumerate(batches(6)):
        if i == 3:
            for group in (spares, twin_spares):
                group[0].grad, group[1].grad = Tensor([1.0, 1.0]), Tensor([-2.0])
        step(x, y), fn(twin, twin_opt, x, y)
        assert [s.tolist() for s in spares] == [s.tolist() for s in twin_spares], f"call {i}"
        assert_identical(model, twin, f"call {i}")
    assert [s.tolist() for s in spares] == [pytest.approx([0.7, 1.7]), pytest.approx([3.6])]  # calls 3 to 5
    assert step.replays == 2  # NOTE: calls 4 and 5 (call 3 traced anew: the spares' .grad is no longer None)
    update = [line for line in str(step.program).splitlines() if line.startswith(("q", "u"))]
    assert update[-4:] == ["u4 = (-0.1) * q4_grad", "q4 += u4", "u5 = (-0.1) * q5_grad", "q5 += u5"]


def test_a_returned_tensor_made_without_ops_is_returned_by_each_replay():
    w = Tensor([1.0, 2.0], requires_grad=True)

    def fn(x):
        (x * w).sum().backward()
        return Tensor([0.5, 1.5])

    step = minigrad.compile(fn)
    results = [step(Tensor([1.0, float(i)])).tolist() for i in range(4)]
    assert results == [[0.5, 1.5]] * 4 and step.replays == 2


def test_a_parameter_is_named_in_the_outermost_module_that_holds_it():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter([2.0])
            self.inner = nn.Linear(2, 1, rng=0)

        def forward(self, x):
            return self.inner(x * self.scale)  # NOTE: its own op runs first, then the child's

    model, head = Scaled(), nn.Linear(1, 1, rng=1)  # NOTE: two modules, neither inside the other

    def fn(x, y):
        F.mse_loss(head(model(x)), y).backward()

    step = minigrad.compile(fn)
    for x, y in batches(3):
        step(x, y)
    parameters = [line.split("#")[0].split()[-1] for line in str(step.program).splitlines() if "parameter" in line]
    assert parameters == ["scale", "inner.weight", "inner.bias", "weight", "bias"]


# --- the refusals, whole ---------------------------------------------------------------------------------


def test_settings_changed_after_the_step_are_refused_by_the_first_call():
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def fn(x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        opt.param_groups[0]["lr"] *= 0.5
        return loss

    message = (
        "fn: SGD's settings (param_groups: a learning rate, ...) or step hooks changed inside the step; "
        "a replay would not change them. Change them outside the compiled step"
    )
    with refused_with(message):
        minigrad.compile(fn)(*batches(1)[0])


def test_the_first_of_two_optimisers_changed_after_its_step_is_refused_by_the_first_call():
    model = small_mlp()
    first, second = optim.SGD(model[0].parameters(), lr=0.1), optim.SGD(model[2].parameters(), lr=0.1)

    def fn(x, y):
        F.mse_loss(model(x), y).backward()
        first.step()
        second.step()
        first.param_groups[0]["lr"] *= 0.5

    with pytest.raises(TracingError, match=r"^fn: SGD's settings \(param_groups: a learning rate, \.\.\.\) or step"):
        minigrad.compile(fn)(*batches(1)[0])


def test_an_update_reading_an_array_from_outside_is_refused_naming_the_step():
    class Noisy(optim.SGD):
        def _update(self, p, grad, state, group):
            super()._update(p, grad + np.array(0.5), state, group)

    model = small_mlp()
    opt = Noisy(model.parameters(), lr=0.1)

    def train(x, y):
        F.mse_loss(model(x), y).backward()
        opt.step()

    with pytest.raises(TracingError, match=r"^train: the optimiser's update reads an array of shape \(\) that"):
        minigrad.compile(train)(*batches(1)[0])


# --- the listing ---------------------------------------------------------------------------------------------


def test_the_listing_heads_an_optimiser_step_with_each_groups_settings():
    model = small_mlp()
    opt = optim.SGD([{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": 0.01}], lr=0.1)

    def fn(x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss

    step = minigrad.compile(fn)
    for x, y in batches(3):
        step(x, y)
    rest = "momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False"
    assert f"# optimiser step: SGD(lr=0.1, {rest}; lr=0.01, {rest})" in str(step.program).splitlines()


def test_a_gradient_holding_nan_is_replayed_as_eagerly():
    def fn(model, opt, x, y):
        loss = F.mse_loss(model(x * Tensor([[np.nan, 1.0]])), y)  # NOTE: NaN in the first weight's gradient
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=False)
        return loss

    model, twin = small_mlp(), small_mlp()
    opt, twin_opt = optim.SGD(model.parameters(), lr=0.1), optim.SGD(twin.parameters(), lr=0.1)
    step = minigrad.compile(lambda x, y: fn(model, opt, x, y))
    for i, (x, y) in enumerate(batches(4)):
        step(x, y), fn(twin, twin_opt, x, y)
        for p, q in zip(model.parameters(), twin.parameters()):
            assert np.array_equal(p.numpy(), q.numpy(), equal_nan=True), f"call {i}"
            assert np.array_equal(p.grad.numpy(), q.grad.numpy()), f"call {i}"
    assert step.replays == 2


def test_a_grad_set_by_hand_is_refused_with_the_whole_message():
    model = small_mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)

    def by_hand(x, y):
        F.mse_loss(model(x), y).backward()
        model[2].bias.grad = Tensor([1.0])
        opt.step()

    message = (
        "by_hand: the .grad of a parameter of shape (1,) was set by hand inside the step (gradient clipping?); "
        "a replay would not. Do it outside the compiled step"
    )
    with refused_with(message):
        minigrad.compile(by_hand)(*batches(1)[0])


def test_the_settings_of_either_of_two_optimisers_changed_inside_are_refused():
    model = small_mlp()
    first, second = optim.SGD(model[0].parameters(), lr=0.1), optim.SGD(model[2].parameters(), lr=0.1)
    rates = iter([0.1, 0.05, 0.02, 0.01])

    def fn(x, y):
        first.param_groups[0]["lr"] = next(rates)  # NOTE: before its step: a replay would keep one rate
        F.mse_loss(model(x), y).backward()
        first.step()
        second.step()
        model.zero_grad()

    step = minigrad.compile(fn)
    with pytest.raises(TracingError, match=r"^fn: SGD's settings \(param_groups: a learning rate, \.\.\.\) or step"):
        for x, y in batches(3):
            step(x, y)
    assert step.replays == 0


def test_the_listing_shows_each_zero_grad_once_under_its_heading():
    model = nn.Linear(2, 1, rng=0)
    opt = optim.SGD(model.parameters(), lr=0.1)

    def fn(x, y):
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        opt.step()
        model.zero_grad(set_to_none=False)

    step = minigrad.compile(fn)
    for x, y in batches(3):
        step(x, y)
    lines = [re.sub(r"\s+# .*", "", line) for line in str(step.program).splitlines()]
    effects = lines[lines.index("# gradients, into .grad") - 3 :]
    assert effects == [
        "# zero_grad",
        "p3.grad = None",
        "p2.grad = None",
        "# gradients, into .grad",
        "p3.grad += v12",
        "p2.grad += v11",
        "# optimiser step: SGD(lr=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)",
        "u0 = (-0.1) * p2_grad",
        "p2 += u0",
        "u1 = (-0.1) * p3_grad",
        "p3 += u1",
        "# zero_grad",
        "p3.grad = zeros if it is not None",
        "p2.grad = zeros if it is not None",
    ]


# --- the recorder ----------------------------------------------------------------------------------------


def test_a_mask_made_outside_the_ops_is_refused_with_the_whole_message_in_one_dimension_too():
    w = Tensor([1.0, -1.0, 2.0], requires_grad=True)

    def masked(x):
        minigrad.where(x.numpy() > 0, x * w, x).sum().backward()

    message = (
        "masked: an op reads a boolean mask of shape (3,) made outside the ops (a comparison such as x.numpy() > 0, "
        "or F.huber_loss's and F.smooth_l1_loss's); a replay would keep this call's mask. Compute it with an op, "
        "or leave this step eager"
    )
    with refused_with(message):
        minigrad.compile(masked)(Tensor([1.0, -2.0, 3.0]))


def test_minigrad_grad_inside_the_step_is_refused_with_the_whole_message():
    w = Tensor([1.0, -1.0], requires_grad=True)

    def returns(x):
        (g,) = minigrad.grad((x * w).sum(), w)
        return g

    message = (
        "returns: minigrad.grad() inside the step returns gradients a replay cannot give back; use loss.backward() "
        "(into .grad)"
    )
    with refused_with(message):
        minigrad.compile(returns)(Tensor([1.0, 2.0]))


def test_a_step_returning_a_number_is_refused_with_the_whole_message():
    def loss_value(x):
        return (x * 2).sum().item()

    message = (
        "loss_value: the step returned a float; a compiled step returns Tensors (or a tuple or list of them, or "
        "None); call .item() on them outside"
    )
    with refused_with(message):
        minigrad.compile(loss_value)(Tensor([1.0, 2.0]))


def test_a_tuple_or_a_list_of_tensors_is_returned_by_each_replay_as_eagerly():
    w = Tensor([1.0, -1.0], requires_grad=True)

    def fn(x, as_list):
        y = x * w
        loss = y.sum()
        loss.backward()
        return [loss, y] if as_list else (loss, (y, x))

    step = minigrad.compile(fn)
    for i in range(3):
        x = Tensor([2.0, float(i)])
        loss, (y, back) = step(x, False)
        assert (loss.tolist(), y.tolist(), back.tolist()) == (2.0 - i, [2.0, -i], [2.0, float(i)])
        as_list = step(x, True)
        assert isinstance(as_list, list) and [t.tolist() for t in as_list] == [2.0 - i, [2.0, -i]]
    assert step.replays == 2


@pytest.mark.parametrize("returned", ["alone", "in a tuple"])
def test_retain_grad_on_a_returned_tensor_no_op_reads_is_refused(returned):
    w = Tensor([1.0, -1.0], requires_grad=True)

    def keeps(x):
        (x * w).sum().backward()
        y = x * w
        y.retain_grad()  # NOTE: no op reads y: only the check of what the step returns sees it
        return y if returned == "alone" else (w, y)

    message = (
        "keeps: retain_grad() on a tensor of shape (2,): a replay keeps no intermediate gradients; return what "
        "you need from the step instead"
    )
    with refused_with(message):
        minigrad.compile(keeps)(Tensor([1.0, 2.0]))


def test_a_gradient_handed_straight_to_a_leaf_is_replayed():
    w = Tensor([1.0, -1.0], requires_grad=True)

    def fn(x):
        (x * w).sum().backward()
        w.backward(Tensor([0.5, 0.25]))  # NOTE: a gradient no op made: the walk hands it to w as it is

    step = minigrad.compile(fn)
    for i in range(4):
        w.grad = None
        step(Tensor([2.0, float(i)]))
        assert w.grad.tolist() == [2.5, i + 0.25], f"call {i}"
    assert step.replays == 2


def test_a_single_condition_fixed_in_the_step_is_kept_and_replayed():
    w = Tensor([1.0, -1.0], requires_grad=True)

    def fn(x):
        # NOTE: one boolean, not a mask: a constant of the step, kept (and checked unchanged between calls)
        minigrad.where(np.array(True), x * w, x).sum().backward()

    step = minigrad.compile(fn)
    for i in range(4):
        w.grad = None
        step(Tensor([2.0, float(i)]))
        assert w.grad.tolist() == [2.0, float(i)], f"call {i}"
    assert step.replays == 2
    assert "c3 = True" in str(step.program)


def test_a_parameter_no_op_reads_keeps_its_name_through_two_optimiser_steps():
    w, spare = nn.Parameter([1.0, -1.0]), nn.Parameter([3.0])
    spare.grad = Tensor([1.0])  # NOTE: never cleared: each call steps it twice
    opt = optim.SGD([w, spare], lr=0.1)

    def fn(x):
        (x * w).sum().backward()
        opt.step()
        opt.step()

    step = minigrad.compile(fn)
    for i in range(3):
        step(Tensor([2.0, float(i)]))
    assert spare.tolist() == pytest.approx([3.0 - 6 * 0.1])
    named = {line.split()[0] for line in str(step.program).splitlines() if line.startswith("q")}
    assert len(named) == 1, named


def test_an_index_array_passed_in_as_an_input_is_read_anew_by_each_replay():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)

    def fn(x, index):
        (x[index] * w[index]).sum().backward()

    step = minigrad.compile(fn)
    for i, index in enumerate([[0, 1], [2, 2], [1, 0], [0, 2], [2, 1]]):
        w.grad = None
        step(Tensor([10.0, 20.0, 30.0]), Tensor(np.array(index), dtype=np.int64))
        expected = np.zeros(3)
        np.add.at(expected, index, np.array([10.0, 20.0, 30.0])[index])
        assert w.grad.tolist() == expected.tolist(), f"call {i}"
    assert step.replays == 3


def test_a_fixed_0d_index_is_kept_and_a_1d_index_made_outside_the_ops_is_refused_whole():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)

    def fixed(x):
        (x[np.array(1)] * w).sum().backward()

    step = minigrad.compile(fixed)
    for i in range(3):
        w.grad = None
        step(Tensor([5.0, float(i), 7.0]))
        assert w.grad.tolist() == [float(i)] * 3, f"call {i}"
    assert step.replays == 1

    def from_the_data(x):
        (x[np.argsort(x.numpy())] * w).sum().backward()

    message = (
        "from_the_data: GetItem reads an index array of shape (3,) made outside the ops (such as max(dim)'s "
        "argmax); a replay would keep this call's indices. Pass it in as an input, or use amax/amin"
    )
    with refused_with(message):
        minigrad.compile(from_the_data)(Tensor([3.0, 1.0, 2.0]))


def test_an_index_input_reshaped_outside_the_ops_is_refused_as_an_index_made_outside():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)

    def reshaped(x, index):
        (x[index.numpy().reshape(2, 1)] * w).sum().backward()  # NOTE: a view of the input, of another shape

    with pytest.raises(TracingError, match=r"^reshaped: GetItem reads an index array of shape \(2, 1\) made outside"):
        minigrad.compile(reshaped)(Tensor([5.0, 6.0, 7.0]), Tensor(np.array([0, 2]), dtype=np.int64))


def test_a_change_in_place_and_a_hook_are_refused_with_the_whole_message():
    w = Tensor([1.0, -1.0], requires_grad=True)

    def in_place(x):
        y = x * w
        with minigrad.no_grad():
            x.mul_(2.0)  # NOTE: x was read by an op already
        (y * x).sum().backward()

    message = (
        "in_place: a tensor of shape (2,) was changed in place during the step (an optimiser step, x += ...); "
        "a replay would not; do it outside the compiled step"
    )
    with refused_with(message):
        minigrad.compile(in_place)(Tensor([1.0, 2.0]))

    def hooked(x):
        y = x * w
        y.register_hook(lambda g: g)
        y.sum().backward()

    message = "hooked: a tensor of shape (2,) has a hook, which a replay would not call"
    with refused_with(message):
        minigrad.compile(hooked)(Tensor([1.0, 2.0]))


def test_create_graph_is_refused_with_the_whole_message():
    w = Tensor([1.0, -1.0], requires_grad=True)

    def second_order(x):
        ((x * w) ** 2).sum().backward(create_graph=True)

    message = (
        "second_order: backward(create_graph=True) records the backward pass as a graph; a compiled step replays "
        "first derivatives only"
    )
    with refused_with(message):
        minigrad.compile(second_order)(Tensor([1.0, 2.0]))


def test_ops_reading_a_gradient_or_run_after_the_step_are_replayed_and_listed_as_forward():
    def make():
        w = nn.Parameter([1.0, -1.0])
        return w, optim.SGD([w], lr=0.1)

    def fn(w, opt, x):
        opt.zero_grad()
        out = x * w
        (out + out).sum().backward()
        size = (w.grad * w.grad).sum()  # NOTE: reads the gradient, with grad mode on
        opt.step()
        with minigrad.no_grad():
            total = out.sum() * 2.0  # NOTE: after the step, reads no parameter
        return size, total

    (w, opt), (twin, twin_opt) = make(), make()
    step = minigrad.compile(lambda x: fn(w, opt, x))
    for i in range(4):
        x = Tensor([2.0, float(i)])
        replayed, eager = step(x), fn(twin, twin_opt, x)
        assert [t.tolist() for t in replayed] == [t.tolist() for t in eager], f"call {i}"
        assert w.tolist() == twin.tolist() and w.grad.tolist() == twin.grad.tolist(), f"call {i}"
    assert step.replays == 2
    lines = [re.sub(r"\s+# .*", "", line) for line in str(step.program).splitlines()]
    assert lines[lines.index("# forward") : lines.index("# zero_grad")] == [
        "# forward",
        "v2 = Mul(x0, p1)",
        "v3 = Add(v2, v2)",
        "v4 = Sum(v3, axis=None, keepdims=False)",
        "v9 = Mul(v8, v8)",
        "v10 = Sum(v9, axis=None, keepdims=False)",
        "v11 = Sum(v2, axis=None, keepdims=False)",
        "v12 = MulScalar(v11, c=2.0)",
        "# backward",
        "v6 = BroadcastTo(c5, shape=(2,))",
        "v7 = Add(v6, v6)",
        "v8 = Mul(v7, x0)",
    ]
    assert str(step.program).splitlines()[lines.index("v7 = Add(v6, v6)")].endswith("# (2,)  sum: a value used twice")


def test_an_op_reading_a_parameter_after_the_step_is_refused_with_the_whole_message():
    w = nn.Parameter([1.0, -1.0])
    opt = optim.SGD([w], lr=0.1)

    def reads_after(x):
        (x * w).sum().backward()
        opt.step()
        return x * w

    message = (
        "reads_after: an op reads a parameter of shape (2,) after an optimiser step changed it; a replay runs the "
        "ops first. Step the optimiser last"
    )
    with refused_with(message):
        minigrad.compile(reads_after)(Tensor([1.0, 2.0]))


def test_pow_with_a_tensor_exponent_and_embedding_with_padding_idx_are_refused_whole_and_embedding_replayed():
    w = Tensor([1.0, 2.0], requires_grad=True)

    def power(x):
        (w**x).sum().backward()

    message = (
        "power: Pow with an exponent that is a tensor or holds a 0: its backward chooses a formula by the data "
        "(0^0); use a nonzero number as the exponent"
    )
    with refused_with(message):
        minigrad.compile(power)(Tensor([1.0, 2.0]))

    padded, plain = nn.Embedding(4, 2, padding_idx=0, rng=0), nn.Embedding(4, 2, rng=0)

    def embed(index):
        padded(index).sum().backward()

    message = (
        "embed: Embedding with padding_idx picks the rows to skip by the data in its backward; leave this step eager"
    )
    with refused_with(message):
        minigrad.compile(embed)(Tensor(np.array([0, 3]), dtype=np.int64))

    step = minigrad.compile(lambda index: plain(index).sum().backward())
    for i in range(3):
        plain.weight.grad = None
        step(Tensor(np.array([i, 3]), dtype=np.int64))
        expected = np.zeros((4, 2))
        expected[[i, 3]] += 1.0
        assert plain.weight.grad.tolist() == expected.tolist(), f"call {i}"
    assert step.replays == 1


def test_the_listing_names_the_rule_that_made_each_backward_op():
    w = Tensor([1.0, -1.0], requires_grad=True)

    def fn(x):
        a = (x * w).relu()
        b = (x + w).tanh() * a
        (a.sum() + b.exp().sum()).backward()

    step = minigrad.compile(fn)
    for i in range(3):
        w.grad = None
        step(Tensor([2.0, float(i)]))
    lines = [re.sub(r"\s+# \(2,\)", "  #", line) for line in str(step.program).splitlines()]
    assert lines[lines.index("# backward") + 1 : lines.index("# gradients, into .grad")] == [
        "v12 = BroadcastTo(c11, shape=(2,))  #  Sum.backward of v9",
        "v13 = Mul(v12, v8)  #  Exp.backward of v8",
        "v14 = Mul(v13, v3)  #  Mul.backward of v6",
        "v15 = Mul(v13, v5)  #  Mul.backward of v6",
        "v16 = TanhBackward(v14, v4)  #  Tanh.backward of v5",
        "v17 = BroadcastTo(c11, shape=(2,))  #  Sum.backward of v7",
        "v18 = Add(v15, v17)  #  sum: a value used twice",
        "v19 = LocallyConstant(v2, rule=above, bound=0.0)  #  ReLU.backward of v3",
        "v20 = Mul(v18, v19)  #  ReLU.backward of v3",
        "v21 = Mul(v20, x0)  #  Mul.backward of v2",
        "v22 = Add(v16, v21)  #  sum: a value used twice",
    ]
    kinds = [op.kind for op in step.program.trace.ops]  # NOTE: as the docs name them
    assert kinds == ["forward"] * 9 + ["rule"] * 6 + ["walk"] + ["rule"] * 3 + ["walk"]


def test_an_input_with_a_graph_and_a_step_called_inside_another_are_refused_whole():
    w = Tensor([1.0, -1.0], requires_grad=True)
    inner = minigrad.compile(lambda x: (x * w).sum().backward())

    def outer(x):
        inner(x)

    message = "<lambda>: a compiled step was called while another one is being traced"  # NOTE: the inner one
    with refused_with(message):
        minigrad.compile(outer)(Tensor([1.0, 2.0]))

    message = "<lambda>: input 0 (shape (2,)) has a grad_fn (MulScalar); pass a leaf, such as x.detach()"
    with refused_with(message):
        inner(Tensor([1.0, 2.0], requires_grad=True) * 2)


def test_one_array_passed_as_two_inputs_is_refused_whole_and_keyword_arguments_are_replayed():
    w = Tensor([1.0, -1.0], requires_grad=True)

    def fn(x, y):
        (x * y * w).sum().backward()

    x = Tensor([1.0, 2.0])
    message = "fn: inputs 0 and 1 share one array; a replay would read the first for both. Pass each input once"
    with refused_with(message):
        minigrad.compile(fn)(x, x)

    step = minigrad.compile(fn)
    for i in range(3):
        w.grad = None
        step(y=Tensor([3.0, float(i)]), x=Tensor([2.0, 1.0]))
        assert w.grad.tolist() == [6.0, float(i)], f"call {i}"
    assert step.replays == 1


def test_a_compiled_step_called_from_a_hooked_module_outside_it_is_not_refused():
    w = Tensor([1.0, -1.0], requires_grad=True)
    step = minigrad.compile(lambda x: (x * w).sum().backward())

    class Trainer(nn.Module):
        def forward(self, x):
            step(x)  # NOTE: the hook belongs to the caller, outside the compiled step
            return x

    trainer, seen = Trainer(), []
    trainer.register_forward_hook(lambda module, args, out: seen.append(1))
    for i in range(3):
        w.grad = None
        trainer(Tensor([2.0, float(i)]))
        assert w.grad.tolist() == [2.0, float(i)], f"call {i}"
    assert step.replays == 1 and seen == [1, 1, 1]


def test_dropout_in_training_mode_is_refused_with_the_whole_message():
    model = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Dropout(0.5))

    def train(x):
        model(x).sum().backward()

    message = (
        "train: Dropout in training mode draws a random mask at each call, which a replay would repeat; pass the "
        "mask in as an input, or call .eval()"
    )
    with refused_with(message):
        minigrad.compile(train)(Tensor([[1.0, 2.0]]))
