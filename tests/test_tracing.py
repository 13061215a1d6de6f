"""minigrad.compile: a replay gives what the eager step gives (values and every .grad), and what a
replay could get wrong is refused with an error naming it."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from activation_cases import CASES
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.functional as F
from minigrad import Tensor, nn
from minigrad.tracing import TracingError

RTOL = 1e-12


def assert_same(replayed, eager, what):
    """Equal to 1e-12 relative (NaN where NaN); in practice the replay runs the same NumPy calls."""
    np.testing.assert_allclose(replayed, eager, rtol=RTOL, atol=1e-300, equal_nan=True, err_msg=what)


def run_both(fn, model, batches, lr=0.1):
    """Call ``fn`` compiled on ``model`` and eagerly on a copy, for each batch, with an SGD step after
    each; check the results and every parameter's .grad agree after every call. Returns the compiled step."""
    twin = copy.deepcopy(model)
    step = minigrad.compile(lambda *args: fn(model, *args))
    optimisers = [minigrad.optim.SGD(m.parameters(), lr=lr) for m in (model, twin)]
    for i, batch in enumerate(batches):
        for opt in optimisers:
            opt.zero_grad()
        replayed = step(*batch)
        eager = fn(twin, *batch)
        assert_same(replayed.numpy(), eager.numpy(), f"call {i}: the step's result")
        for (name, p), q in zip(model.named_parameters(), twin.parameters()):
            assert (p.grad is None) == (q.grad is None), f"call {i}: {name}.grad"
            if p.grad is not None:
                assert_same(p.grad.numpy(), q.grad.numpy(), f"call {i}: {name}.grad")
        for opt in optimisers:
            opt.step()
    assert step.replays == len(batches) - 2, "the third call on must be replays"
    return step


# --- every activation, every loss -------------------------------------------------------------------


def classes(rng, n, c):
    return minigrad.tensor(rng.integers(0, c, n))


# name -> (outputs of the last layer, the loss of (output, target), a target for a batch of n)
LOSSES = {
    "mse_loss": (2, F.mse_loss, lambda rng, n: Tensor(rng.normal(size=(n, 2)))),
    "l1_loss": (2, F.l1_loss, lambda rng, n: Tensor(rng.normal(size=(n, 2)))),
    "huber_loss": (2, lambda y, t: F.huber_loss(y, t, delta=0.5), lambda rng, n: Tensor(rng.normal(size=(n, 2)))),
    "cross_entropy": (3, F.cross_entropy, lambda rng, n: classes(rng, n, 3)),
    "cross_entropy(label_smoothing)": (
        3,
        lambda y, t: F.cross_entropy(y, t, label_smoothing=0.1),
        lambda rng, n: classes(rng, n, 3),
    ),
    "nll_loss": (3, lambda y, t: F.nll_loss(F.log_softmax(y, dim=1), t), lambda rng, n: classes(rng, n, 3)),
    "binary_cross_entropy": (
        1,
        lambda y, t: F.binary_cross_entropy(F.sigmoid(y), t),
        lambda rng, n: Tensor(rng.integers(0, 2, (n, 1)).astype(float)),
    ),
    "binary_cross_entropy_with_logits": (
        1,
        F.binary_cross_entropy_with_logits,
        lambda rng, n: Tensor(rng.integers(0, 2, (n, 1)).astype(float)),
    ),
    "hinge_loss": (1, F.hinge_loss, lambda rng, n: Tensor(rng.choice([-1.0, 1.0], (n, 1)))),
}


def mlp_step(model, x, target, loss):
    value = loss(model(x), target)
    value.backward()
    return value


@settings(max_examples=60, deadline=None)
@given(
    case=st.sampled_from(CASES),
    loss=st.sampled_from(sorted(LOSSES)),
    sizes=st.lists(st.integers(1, 6), min_size=1, max_size=3),
    batch=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_replay_is_the_eager_step_on_random_mlps(case, loss, sizes, batch, seed):
    rng = np.random.default_rng(seed)
    outputs, loss_fn, make_target = LOSSES[loss]
    layers, width = [], 3
    for size in sizes:
        layers += [nn.Linear(width, size, rng=rng), _Activation(case)]
        width = size
    model = nn.Sequential(*layers, nn.Linear(width, outputs, rng=rng))
    batches = [(Tensor(rng.normal(size=(batch, 3)) * 3), make_target(rng, batch)) for _ in range(5)]
    run_both(lambda m, x, t: mlp_step(m, x, t, loss_fn), model, batches)


class _Activation(nn.Module):
    """One activation of the table as a module."""

    def __init__(self, case):
        super().__init__()
        self.case = case

    def forward(self, x):
        return self.case(x)


# --- random op sequences ----------------------------------------------------------------------------

UNARY = {
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "abs": lambda a: a.abs(),
    "exp": lambda a: (a.clip(-5.0, 5.0)).exp(),
    "square": lambda a: a**2,
    "neg": lambda a: -a,
    "scale": lambda a: 0.5 * a + 1.0,
    "sum0": lambda a: a.sum(axis=0, keepdims=True),
    "mean1": lambda a: a.mean(axis=1, keepdims=True),
    "max1": lambda a: a.amax(dim=1, keepdim=True),
    "matmul": lambda a: 0.1 * (a @ a.T @ a),
    "softmax": lambda a: F.softmax(a, dim=-1),
    "clip": lambda a: a.clip(-0.5, 0.5),
    "leaky_relu": lambda a: F.leaky_relu(a, 0.1),
    "slice": lambda a: a[:, :1] * a,
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "maximum": lambda a, b: minigrad.maximum(a, b),
    "minimum": lambda a, b: minigrad.minimum(a, b),
}


class OpSequence(nn.Module):
    """A random program: values start as two inputs and two parameters (shape (3, 4) each); each
    step applies an op to values chosen by index (so values fan out); the result sums the last ones."""

    def __init__(self, program, rng):
        super().__init__()
        self.program = program
        self.w = nn.Parameter(rng.normal(size=(3, 4)))
        self.v = nn.Parameter(rng.normal(size=(3, 4)))

    def forward(self, x, y):
        values = [x, self.w, y, self.v]
        for name, i, j in self.program:
            a, b = values[i % len(values)], values[j % len(values)]
            out = UNARY[name](a) if name in UNARY else BINARY[name](a, b)
            values.append(out.broadcast_to((3, 4)) if out.shape != (3, 4) else out)
        return (values[-1] * values[-1]).sum() + values[-2].mean() + (self.w * self.v).sum()


@settings(max_examples=80, deadline=None)
@given(
    program=st.lists(
        st.tuples(st.sampled_from(sorted(UNARY) + sorted(BINARY)), st.integers(0, 50), st.integers(0, 50)),
        min_size=1,
        max_size=10,
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_replay_is_the_eager_step_on_random_op_sequences(program, seed):
    rng = np.random.default_rng(seed)
    model = OpSequence(program, rng)

    def step(m, x, y):
        loss = m(x, y)
        loss.backward()
        return loss

    batches = [(Tensor(rng.normal(size=(3, 4))), Tensor(rng.normal(size=(3, 4)))) for _ in range(5)]
    # NOTE: chained squares and products may overflow: inf and nan must then come out the same way
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        run_both(step, model, batches)


def test_inputs_that_require_grad_get_their_gradient_and_grads_accumulate():
    w = Tensor([1.0, 2.0], requires_grad=True)

    @minigrad.compile
    def step(x):
        loss = (x * w).sum() * (x * x).sum()
        loss.backward()
        return loss

    for i in range(4):
        x = Tensor([1.0 + i, -2.0], requires_grad=True)
        step(x)
        twin = x.detach().requires_grad_()
        ((twin * w.detach()).sum() * (twin * twin).sum()).backward()
        assert_same(x.grad.numpy(), twin.grad.numpy(), f"call {i}: x.grad")
    assert step.replays == 2
    # w.grad was never zeroed: four calls accumulated into it, as backward does
    assert w.grad is not None and np.isfinite(w.grad.numpy()).all()


def test_new_shapes_trace_again_and_the_program_lists_the_step():
    model = nn.Sequential(nn.Linear(2, 4, rng=0), nn.ReLU(), nn.Linear(4, 1, rng=1))

    @minigrad.compile
    def step(x, y):
        loss = F.mse_loss(model(x), y)
        loss.backward()
        return loss

    rng = np.random.default_rng(0)
    for n in (5, 5, 5, 7, 7, 7, 5):
        step(Tensor(rng.normal(size=(n, 2))), Tensor(rng.normal(size=(n, 1))))
    assert (step.traces, step.replays) == (4, 3)
    text = str(step.program)
    assert "# forward" in text and "# backward" in text and "# gradients, into .grad" in text
    assert "ReLU.backward of" in text and "LocallyConstant(" in text and "rule=above" in text
    assert "parameter 0.weight" in text and ".grad += " in text


def test_a_value_used_twice_is_summed_in_the_listing():
    w = Tensor([1.0, 2.0], requires_grad=True)

    @minigrad.compile
    def step(x):
        h = w * x
        loss = (h * h.tanh() + h.exp()).sum()
        loss.backward()
        return loss

    for i in range(3):
        step(Tensor([0.5, -0.5 * i]))
    assert "sum: a value used twice" in str(step.program)


# --- what is refused, and why ---------------------------------------------------------------------------


def backward_step(loss_of):
    """A step: the loss ``loss_of(*inputs)``, its backward, and the loss returned."""

    def step(*inputs):
        loss = loss_of(*inputs)
        loss.backward()
        return loss

    return step


def call_three_times(fn, *make_args):
    step = minigrad.compile(fn)
    rng = np.random.default_rng(0)
    for _ in range(3):
        step(*(make(rng) for make in make_args))
    return step


def normal(rng):
    return Tensor(rng.normal(size=(4, 2)))


W = nn.Parameter(np.ones((2, 2)))


def refused(match):
    return pytest.raises(TracingError, match=match)


def test_refuses_a_python_branch_on_the_data():
    def step(x):
        y = x @ W
        loss = (y * 2).sum() if y.sum().item() > 0 else (y * y).sum()
        loss.backward()
        return loss

    inputs = iter([Tensor(np.ones((4, 2))), Tensor(-np.ones((4, 2)))])
    with refused("two calls ran different ops.*branches on the data"):
        call_three_times(step, lambda rng: next(inputs))


def test_refuses_a_mask_computed_from_the_data():
    with refused("boolean mask of shape \\(4, 2\\) made outside the ops"):
        call_three_times(backward_step(lambda x: minigrad.where(x > 0, x @ W, x).sum()), normal)


def test_refuses_an_index_computed_from_the_data():
    step = backward_step(lambda x: (x @ W).max(dim=1).values.sum())
    with refused("GetItem reads an index array of shape \\(4, 1\\) made outside the ops"):
        call_three_times(step, normal)


def test_refuses_randomness_that_is_not_an_input():
    def step(x):
        noise = Tensor(np.random.default_rng().normal(size=(4, 2)))
        loss = ((x + noise) @ W).sum()
        loss.backward()
        return loss

    with refused("changed between two calls.*drawn at random"):
        call_three_times(step, normal)


def hooked_linear():
    model = nn.Linear(2, 2, rng=0)
    model.register_forward_hook(lambda module, inputs, output: None)
    return model


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: nn.Sequential(nn.Linear(2, 2, rng=0), nn.Dropout(0.5, rng=0)), "Dropout in training mode draws"),
        (lambda: nn.Sequential(nn.Linear(2, 2, rng=0), nn.BatchNorm1d(2)), "BatchNorm1d in training mode updates"),
        (hooked_linear, "Linear has hooks"),
    ],
    ids=["dropout", "batchnorm", "module hooks"],
)
def test_refuses_modules_that_do_what_a_replay_would_not(make, match):
    model = make()
    with refused(match):
        call_three_times(backward_step(lambda x: model(x).sum()), normal)


def test_refuses_an_array_read_from_outside():
    outside = Tensor(np.ones((4, 2)))

    step = backward_step(lambda x: ((x * outside) @ W).sum())
    with refused("reads an array of shape \\(4, 2\\) from outside the step"):
        call_three_times(step, normal)


def test_refuses_hooks():
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    w.register_hook(lambda grad: grad * 2)

    step = backward_step(lambda x: (x @ w).sum())
    with refused("has a hook, which a replay would not call"):
        call_three_times(step, normal)


def test_refuses_create_graph():
    def step(x):
        loss = ((x @ W) ** 2).sum()
        loss.backward(create_graph=True)
        return loss

    with refused("create_graph=True"):
        call_three_times(step, normal)
    W.grad = None


def test_refuses_a_change_in_place_inside_the_step():
    w = Tensor(np.ones((2, 2)), requires_grad=True)

    def step(x):
        loss = (x @ w).sum()
        loss.backward()
        with minigrad.no_grad():
            w.sub_(0.1 * w.grad)
        return loss

    with refused("changed in place during the step"):
        call_three_times(step, normal)


def test_refuses_retain_grad_and_grad():
    def keeps(x):
        y = x @ W
        y.retain_grad()
        loss = y.sum()
        loss.backward()
        return loss

    with refused("retain_grad"):
        call_three_times(keeps, normal)

    def returns(x):
        (g,) = minigrad.grad((x @ W).sum(), W)
        return g

    with refused("minigrad.grad\\(\\) inside the step"):
        call_three_times(returns, normal)


def test_refuses_a_tensor_exponent_and_python_results():
    def power(x):
        loss = (x.abs() + 1.0).__pow__(x @ W).sum()
        loss.backward()
        return loss

    with refused("Pow with an exponent that is a tensor"):
        call_three_times(power, normal)

    def number(x):
        loss = (x @ W).sum()
        loss.backward()
        return loss.item()

    with refused("returned a float"):
        call_three_times(number, normal)


def test_refuses_bad_arguments():
    with pytest.raises(TypeError, match="step must be a callable, got int"):
        minigrad.compile(3)
    with pytest.raises(ValueError, match="cache_size must be an int >= 1, got 0"):
        minigrad.compile(print, cache_size=0)
    step = minigrad.compile(lambda x: None)
    with pytest.raises(TypeError, match="argument 0 is a list"):
        step([1.0])
    with pytest.raises(RuntimeError, match="not traced yet"):
        _ = step.program


def test_a_replay_still_refuses_class_indices_out_of_range():
    model = nn.Linear(2, 3, rng=0)

    def step(x, labels):
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        return loss

    step = call_three_times(step, normal, lambda rng: minigrad.tensor(rng.integers(0, 3, 4)))
    assert step.replays == 1
    with pytest.raises(ValueError, match="class indices \\[-1\\] outside \\[0, 3\\)"):
        step(Tensor(np.ones((4, 2))), minigrad.tensor([0, -1, 2, 1]))


def test_the_same_data_again_is_no_check_and_a_replaced_parameter_traces_again():
    w = Tensor(np.ones((2, 2)), requires_grad=True)

    @minigrad.compile
    def step(x):
        loss = (x @ w).tanh().sum()
        loss.backward()
        return loss

    x = Tensor(np.ones((4, 2)))
    for _ in range(3):  # nothing differs between the calls: a branch on the data could not show
        step(x)
    assert (step.traces, step.replays) == (3, 0)
    step(Tensor(np.full((4, 2), 2.0)))  # new data: the check passes
    step(x)
    assert (step.traces, step.replays) == (4, 1)
    w.data = Tensor(np.ones((2, 3)))  # another shape: the program no longer fits, so the step is traced again
    w.grad = None
    step(x)
    assert (step.traces, step.replays) == (5, 1) and w.grad.shape == (2, 3)


def test_refuses_one_array_passed_twice():
    def step(x, y):
        loss = (x @ W + y @ W).sum()
        loss.backward()
        return loss

    x = Tensor(np.ones((4, 2)))
    with refused("inputs 0 and 1 share one array"):
        minigrad.compile(step)(x, x)


def test_a_python_value_argument_is_part_of_what_a_program_is_for():
    w = Tensor([1.0, 2.0], requires_grad=True)
    step = minigrad.compile(lambda x, scale: (x * w * scale).sum().backward())
    for i, scale in enumerate((1.0, 1.0, 1.0, 3.0)):
        w.grad = None
        step(Tensor([1.0, float(i)]), scale)
        assert_same(w.grad.numpy(), np.array([1.0, float(i)]) * scale, f"call {i}")
    assert (step.traces, step.replays) == (3, 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", [nn.LSTM, nn.GRU, nn.RNN])
def test_a_recurrent_step_replays_bit_identically_to_eager(mode, dtype):
    """The unrolled recurrence (slices of the gates, the stack of outputs, sums where h and c fan out)
    replays the same NumPy calls as the eager step: the loss and every .grad equal to the bit."""
    rng = np.random.default_rng(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.head = mode(3, 5, num_layers=2, rng=1), nn.Linear(5, 1, rng=2)

        def forward(self, x):
            output, _ = self.rnn(x)
            return self.head(output[-1]) + output.mean()

    def step(net, x, y):
        loss = F.mse_loss(net(x), y)
        loss.backward()
        return loss

    model = Net()
    for module in model.modules():  # the parameters in ``dtype``
        for name, p in list(module.named_parameters()):
            if "." not in name:
                setattr(module, name, nn.Parameter(p.numpy().astype(dtype)))
    twin = copy.deepcopy(model)
    compiled = minigrad.compile(lambda x, y: step(model, x, y))
    optimisers = [minigrad.optim.SGD(m.parameters(), lr=0.1) for m in (model, twin)]
    for call in range(4):
        x, y = (Tensor(rng.normal(size=shape).astype(dtype)) for shape in ((6, 4, 3), (4, 1)))
        for opt in optimisers:
            opt.zero_grad()
        replayed, eager = compiled(x, y), step(twin, x, y)
        np.testing.assert_array_equal(replayed.numpy(), eager.numpy(), err_msg=f"call {call}: the loss")
        for (name, p), q in zip(model.named_parameters(), twin.parameters()):
            assert p.grad.dtype == dtype
            np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy(), err_msg=f"call {call}: {name}.grad")
        for opt in optimisers:
            opt.step()
    assert (compiled.traces, compiled.replays) == (2, 2)


@pytest.mark.parametrize("zeroing", ["outside", "inside, to zeros"])
def test_what_a_call_hands_out_is_never_written_by_a_later_call(zeroing):
    """A replay writes no array that the user can hold from an earlier call: the results, the
    activations returned with them, the .grad tensors, and the parameters' old values (each step
    changes the parameter, never a copy the user took)."""
    rng = np.random.default_rng(3)
    model = nn.Sequential(nn.Linear(3, 8, rng=0), nn.Tanh(), nn.Linear(8, 2, rng=1))
    opt = minigrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    @minigrad.compile
    def step(x, y):
        hidden = model[1](model[0](x))
        loss = F.mse_loss(model[2](hidden), y)
        loss.backward()
        if zeroing != "outside":
            opt.step()
            opt.zero_grad(set_to_none=False)
        return loss, hidden

    kept = []  # (a tensor a call handed out, its values then)
    for _ in range(5):
        if zeroing == "outside":
            opt.zero_grad()
        x, y = Tensor(rng.normal(size=(4, 3))), Tensor(rng.normal(size=(4, 2)))
        loss, hidden = step(x, y)
        handed = [loss, hidden, *(p.grad for p in model.parameters())]
        kept += [(t, t.numpy().copy()) for t in handed]
        if zeroing == "outside":
            opt.step()
    assert step.replays == 3
    for i, (tensor, values) in enumerate(kept):
        np.testing.assert_array_equal(tensor.numpy(), values, err_msg=f"kept tensor {i}")
