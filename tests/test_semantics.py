"""Semantics that used to give a wrong answer without an error (issue 13, part 7), each as PyTorch:
grad mode per thread, detach sharing the version counter, Tensor(array) copying, hook results
checked, grad with a repeated input, x ** y at a zero base, requires_grad only on leaves and only
a bool, softmax of a 0-d tensor and over an empty axis."""

import asyncio
import re
import threading
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from helpers import check_against_torch
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import Function, Tensor, nn, optim

# --- 1. grad mode is per thread, and a decorated generator keeps its mode to itself ----------------


def _in_threads(*targets):
    """Run each target in its own thread; re-raise the first exception one of them raised."""
    errors = []

    def run(target):
        try:
            target()
        except BaseException as error:  # noqa: BLE001  # handed to the main thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_does_not_stop_recording_in_another():
    barrier = threading.Barrier(2, timeout=10)
    recorded = {}

    def inside_no_grad():
        with mg.no_grad():
            barrier.wait()  # the other thread records now
            barrier.wait()

    def recording():
        barrier.wait()
        recorded["y"] = Tensor([1.0], requires_grad=True) * 2
        barrier.wait()

    _in_threads(inside_no_grad, recording)
    assert recorded["y"].requires_grad and recorded["y"].grad_fn is not None


def test_interleaved_no_grad_blocks_in_two_threads_leave_recording_on_everywhere():
    barrier = threading.Barrier(2, timeout=10)
    after = {}

    def first():
        with mg.no_grad():  # enters first
            barrier.wait()
            barrier.wait()
        barrier.wait()  # leaves first
        barrier.wait()
        after["first"] = mg.is_grad_enabled()

    def second():
        barrier.wait()
        with mg.no_grad():  # enters while the first is inside
            barrier.wait()
            barrier.wait()
        barrier.wait()  # leaves last
        after["second"] = mg.is_grad_enabled()

    _in_threads(first, second)
    assert after == {"first": True, "second": True}
    assert mg.is_grad_enabled() and (Tensor(1.0, requires_grad=True) * 2).requires_grad


def test_a_backward_in_one_thread_does_not_stop_recording_in_another():
    barrier = threading.Barrier(2, timeout=10)
    recorded = {}

    def backward():
        x = Tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.register_hook(lambda grad: (barrier.wait(), barrier.wait(), None)[-1])  # pauses mid-walk
        y.sum().backward()
        recorded["grad"] = x.grad

    def recording():
        barrier.wait()  # the other thread is inside its backward walk
        recorded["y"] = Tensor([1.0], requires_grad=True) * 2
        barrier.wait()

    _in_threads(backward, recording)
    assert recorded["y"].requires_grad
    np.testing.assert_array_equal(recorded["grad"].numpy(), [3.0, 3.0])


def _train(w0, steps, barrier=None):
    """Gradient descent on sum((x w - t)^2); with a barrier, each step meets the other thread's twice
    (once between forward and backward, once inside the no_grad update)."""
    w = Tensor(w0.copy(), requires_grad=True)
    x, t = Tensor([[1.0, 2.0], [3.0, -1.0]]), Tensor([[1.0], [0.5]])
    for _ in range(steps):
        loss = ((x @ w - t) ** 2).sum()
        if barrier:
            barrier.wait()
        loss.backward()
        with mg.no_grad():
            if barrier:
                barrier.wait()
            w.sub_(w.grad, alpha=0.01)
        w.grad = None
    return w.numpy()


def test_two_threads_training_side_by_side_get_the_weights_of_training_alone():
    barrier = threading.Barrier(2, timeout=10)
    w0 = np.array([[0.5], [-0.3]])
    results = []
    _in_threads(*[lambda: results.append(_train(w0, 20, barrier))] * 2)
    alone = _train(w0, 20)
    assert len(results) == 2
    for w in results:
        np.testing.assert_array_equal(w, alone)


def test_a_thread_starts_with_grad_enabled_even_when_started_inside_no_grad():
    seen = {}
    with mg.no_grad():
        _in_threads(lambda: seen.setdefault("enabled", mg.is_grad_enabled()))
        assert not mg.is_grad_enabled()
    assert seen["enabled"]


def test_no_grad_in_one_asyncio_task_does_not_stop_recording_in_another():
    async def inside_no_grad(started, done):
        with mg.no_grad():
            started.set()
            await done.wait()

    async def main():
        started, done = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(inside_no_grad(started, done))
        await started.wait()
        y = Tensor(1.0, requires_grad=True) * 2
        done.set()
        await task
        return y

    assert asyncio.run(main()).requires_grad


def test_a_no_grad_generator_runs_without_grad_and_leaves_the_caller_recording_between_yields():
    @mg.no_grad()
    def doubled(xs):
        for x in xs:
            yield x * 2, mg.is_grad_enabled()

    x = Tensor(1.0, requires_grad=True)
    for y, enabled_inside in doubled([x, x]):
        assert not enabled_inside and not y.requires_grad
        assert mg.is_grad_enabled() and (x * 2).requires_grad


def test_an_enable_grad_generator_records_while_the_caller_stays_in_no_grad():
    @mg.enable_grad()
    def doubled(x):
        yield x * 2
        yield x * 3

    x = Tensor(1.0, requires_grad=True)
    with mg.no_grad():
        outputs = []
        for y in doubled(x):
            outputs.append(y)
            assert not mg.is_grad_enabled() and not (x * 2).requires_grad
    assert all(y.requires_grad for y in outputs)


def test_a_decorated_generator_passes_on_send_throw_close_and_its_return_value():
    log = []

    @mg.no_grad()
    def echo():
        try:
            received = yield "ready"
            while received != "stop":
                log.append((received, mg.is_grad_enabled()))
                try:
                    received = yield received
                except KeyError as error:
                    log.append(("caught", error.args[0], mg.is_grad_enabled()))
                    received = yield "recovered"
            return "done"
        finally:
            log.append(("closed", mg.is_grad_enabled()))

    gen = echo()
    assert next(gen) == "ready" and mg.is_grad_enabled()
    assert gen.send("a") == "a" and mg.is_grad_enabled()
    assert gen.throw(KeyError("k")) == "recovered" and mg.is_grad_enabled()
    with pytest.raises(StopIteration) as stop:
        gen.send("stop")
    assert stop.value.value == "done"
    assert log == [("a", False), ("caught", "k", False), ("closed", False)]
    closing = echo()
    next(closing)
    closing.close()
    assert log[-1] == ("closed", False) and mg.is_grad_enabled()


# --- 2. detach() shares the version counter ------------------------------------------------------


def test_a_change_through_a_detached_tensor_is_caught_by_backward():
    a = Tensor([1.0, 2.0], requires_grad=True)
    h = a * 2
    y = (h * h).sum()
    with mg.no_grad():
        h.detach().add_(10.0)
    with pytest.raises(RuntimeError, match=r"Mul: input 0 \(shape \(2,\)\) was modified in place"):
        y.backward()
    assert a.grad is None


def test_a_change_to_the_original_is_caught_through_a_detached_leaf():
    a = Tensor([1.0, 2.0], requires_grad=True)
    d = a.detach().requires_grad_()
    y = (d * d).sum()
    with mg.no_grad():
        a.mul_(3.0)
    with pytest.raises(RuntimeError, match="was modified in place"):
        y.backward()


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.add_(1.0),
        lambda t: t.mul_(2.0),
        lambda t: t.fill_(0.0),
        lambda t: t.copy_([5.0, 6.0]),
        lambda t: t.__setitem__(0, 3.0),
        lambda t: t.data.add_(1.0),
    ],
    ids=["add_", "mul_", "fill_", "copy_", "setitem", "data.add_"],
)
def test_detached_tensors_and_their_source_share_one_version_counter(change):
    a = Tensor([1.0, 2.0], requires_grad=True)
    h = a * 2
    d = h.detach()
    dd = d.detach()
    with mg.no_grad():
        change(dd)
    assert h._version == d._version == dd._version == 1
    with mg.no_grad():
        change(h)
    assert h._version == d._version == dd._version == 2
    assert a._version == 0


def test_a_tensor_that_was_never_detached_counts_only_its_own_changes():
    a, b = Tensor([1.0]), Tensor([1.0])
    a.add_(1.0)
    assert (a._version, b._version) == (1, 0)


# --- 3. Tensor(array) copies; minigrad.from_numpy(array) shares --------------------------------------


@given(
    hnp.arrays(
        st.sampled_from([np.float64, np.float32]),
        hnp.array_shapes(min_dims=0, max_side=4),
        elements=st.floats(-10, 10, width=32),
    )
)
def test_a_tensor_made_from_a_float_array_holds_a_copy_of_it(array):
    x = Tensor(array)
    assert x.dtype == array.dtype and not np.shares_memory(x.numpy(), array)
    np.testing.assert_array_equal(x.numpy(), array)
    assert not np.shares_memory(Tensor(x).numpy(), x.numpy())
    assert not np.shares_memory(Tensor(array, dtype=array.dtype).numpy(), array)


def test_an_optimiser_step_leaves_the_initial_weights_array_as_it_was():
    w0 = np.array([1.0, -2.0])
    w = nn.Parameter(w0)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    np.testing.assert_array_equal(w0, [1.0, -2.0])
    np.testing.assert_allclose(w.numpy(), [0.8, -1.6])


def test_editing_the_source_array_after_an_op_leaves_the_gradient_right():
    c, x0 = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    x = Tensor(x0, requires_grad=True)
    y = (x * Tensor(c)).sum() + (x * c).sum() + (x * x).sum()
    c[:] = 100.0
    x0[:] = 100.0
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), 2 * np.array([1.0, 2.0]) + 2 * np.array([3.0, 4.0]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_from_numpy_shares_the_array_both_ways(dtype):
    array = np.array([1.0, 2.0], dtype=dtype)
    x = mg.from_numpy(array)
    assert x.numpy() is array and x.dtype == dtype and x.is_leaf and not x.requires_grad
    array[0] = 10.0
    x.add_(1.0)
    np.testing.assert_array_equal(array, [11.0, 3.0])
    view = np.arange(6.0).reshape(2, 3)[:, 1]
    assert np.shares_memory(mg.from_numpy(view).numpy(), view)


@pytest.mark.parametrize("dtype", ["uint8", "float16", "int16", "complex128", ">f8", "object"])
def test_from_numpy_refuses_a_dtype_a_tensor_cannot_hold_naming_it(dtype):
    array = np.zeros(2, dtype=dtype)
    with pytest.raises(TypeError, match=f"from_numpy: .*dtype {np.dtype(dtype)}"):
        mg.from_numpy(array)


def test_from_numpy_refuses_what_is_not_an_array_naming_its_type():
    with pytest.raises(TypeError, match="from_numpy: expected a numpy.ndarray, got list"):
        mg.from_numpy([1.0, 2.0])


def test_an_op_output_holds_the_array_its_forward_returned():
    made = []

    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            made.append(2 * x)
            return made[-1]

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    for x in (Tensor([1.0, 2.0]), Tensor([1.0, 2.0], requires_grad=True)):
        assert Twice.apply(x).numpy() is made[-1]


# --- 4. what a tensor hook returns is checked --------------------------------------------------


def _leaf_and_nonleaf():
    a = Tensor([1.0, 2.0], requires_grad=True)
    return {"leaf": (a, a), "non-leaf": (a, a * 1.0)}


@pytest.mark.parametrize("where", ["leaf", "non-leaf"])
def test_a_hook_returning_a_gradient_of_another_shape_is_refused_naming_the_hook(where):
    a, hooked = _leaf_and_nonleaf()[where]

    def bad_shape(grad):
        return Tensor([1.0, 1.0, 1.0])

    hooked.register_hook(bad_shape)
    with pytest.raises(RuntimeError, match=r"hook 'bad_shape' .*shape \(2,\).*returned .*shape \(3,\)"):
        (hooked.reshape(2, 1) * 3).sum().backward()
    assert a.grad is None


@pytest.mark.parametrize("where", ["leaf", "non-leaf"])
def test_a_hook_returning_a_gradient_of_another_dtype_is_refused_naming_both(where):
    a, hooked = _leaf_and_nonleaf()[where]
    hooked.register_hook(lambda grad: grad.to(np.float32))
    with pytest.raises(RuntimeError, match=r"hook '<lambda>' .*float64.*returned .*float32"):
        (hooked * 3).sum().backward()
    assert a.grad is None


@pytest.mark.parametrize("returned", [np.ones(2), 1.0, [1.0, 1.0]], ids=["ndarray", "float", "list"])
def test_a_hook_returning_something_other_than_a_tensor_or_none_is_refused_naming_its_type(returned):
    a = Tensor([1.0, 2.0], requires_grad=True)
    a.register_hook(lambda grad: returned)
    with pytest.raises(TypeError, match=rf"hook '<lambda>' .*shape \(2,\).*returned {type(returned).__name__}"):
        (a * 3).sum().backward()
    assert a.grad is None


def test_a_refused_hook_result_says_what_a_hook_may_return():
    a = Tensor([1.0, 2.0], requires_grad=True)
    a.register_hook(lambda grad: grad.numpy())
    with pytest.raises(TypeError, match="a hook returns None or a Tensor of the gradient's shape and dtype$"):
        (a * 3).sum().backward()
    b = Tensor([1.0, 2.0], requires_grad=True)
    b.register_hook(lambda grad: grad.reshape(2, 1))
    with pytest.raises(RuntimeError, match="a hook may change the gradient's values only$"):
        (b * 3).sum().backward()


def test_a_hook_without_a_name_is_named_by_its_repr():
    import functools

    a = Tensor([1.0, 2.0], requires_grad=True)
    a.register_hook(functools.partial(lambda scale, grad: grad.reshape(2, 1) * scale, 2.0))
    with pytest.raises(RuntimeError, match=r"hook functools.partial\(<function"):
        (a * 3).sum().backward()


@pytest.mark.parametrize("b_first", [True, False])
def test_a_refused_hook_result_leaves_every_grad_as_it_was(b_first):
    b = Tensor([5.0], requires_grad=True)
    b.grad = Tensor([1.0])
    a = Tensor([1.0, 2.0], requires_grad=True)
    kept = a * 1.0
    kept.retain_grad()
    a.register_hook(lambda grad: Tensor([1.0, 1.0, 1.0]))
    parts = [(b * 2).sum(), (kept * 3).sum().exp()]
    loss = parts[0] + parts[1] if b_first else parts[1] + parts[0]
    with pytest.raises(RuntimeError, match="hook '<lambda>'"):
        loss.backward()
    np.testing.assert_array_equal(b.grad.numpy(), [1.0])
    assert a.grad is None and kept.grad is None


def test_a_hook_returning_a_tensor_of_the_same_shape_and_dtype_replaces_the_gradient():
    a = Tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    a.register_hook(lambda grad: None)
    a.register_hook(lambda grad: grad * 10)
    (a * 3).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [30.0, 30.0])
    assert a.grad.dtype == np.float32


# --- 5. minigrad.grad gives one result per input, repeated inputs included ------------------------


def test_grad_with_a_repeated_input_returns_its_gradient_in_each_position():
    p, q = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    results = mg.grad(p * q * p, [p, q, p])
    assert [g.item() for g in results] == [12.0, 4.0, 12.0]


@given(st.lists(st.integers(0, 3), min_size=1, max_size=6))
def test_grad_returns_for_each_input_as_given_the_gradient_it_gets_alone(positions):
    p, q, r = (Tensor(v, requires_grad=True) for v in ([1.0, 2.0], [3.0, -1.0], [0.5, 0.25]))
    unused = Tensor([1.0, 1.0], requires_grad=True)
    candidates = [p, q, r, unused]
    inputs = [candidates[i] for i in positions]
    out = (p * q * p).sum() + (r * r * q).sum()
    results = mg.grad(out, inputs, retain_graph=True, allow_unused=True)
    assert len(results) == len(inputs)
    for x, g in zip(inputs, results):
        (alone,) = mg.grad(out, [x], retain_graph=True, allow_unused=True)
        assert (g is None) == (alone is None) == (x is unused)
        if g is not None:
            np.testing.assert_array_equal(g.numpy(), alone.numpy())


# --- 6. x ** y at a zero base and a zero exponent, as PyTorch --------------------------------------


def test_pow_with_a_zero_exponent_has_gradient_zero_at_a_zero_base_without_warnings():
    x = Tensor(0.0, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x**0).backward()
    assert x.grad.item() == 0.0


def test_polynomial_features_at_zero_have_the_true_gradient_without_warnings():
    x = Tensor([0.0, 1.5], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x.reshape(2, 1) ** np.arange(3.0)).sum().backward()  # 1 + x + x^2
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 4.0])


@pytest.mark.parametrize("exponent", [0.0, 0.5, 1.0, 2.0, 3.0])
def test_pow_at_a_zero_base_has_exponent_gradient_zero_for_a_nonnegative_exponent(exponent):
    x, y = Tensor([0.0, 2.0]), Tensor(exponent, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (gy,) = mg.grad((x**y)[0], y)
        (gy_at_two,) = mg.grad((x**y)[1], y)
    assert gy.item() == 0.0
    assert gy_at_two.item() == pytest.approx(2.0**exponent * np.log(2.0))


def test_pow_second_derivatives_at_zero_follow_from_the_conventions():
    """x^1, x^2, x^3 at x = 0: d2/dx2 is 0, 2, 0 (their first derivatives are smooth there); the
    mixed d/dy of d/dx = x^(y-1) + y x^(y-1) log x is 1 at (0, 1) (its log term is 0 there)."""
    for exponent, second in [(1.0, 0.0), (2.0, 2.0), (3.0, 0.0)]:
        x = Tensor(0.0, requires_grad=True)
        (gx,) = mg.grad(x**exponent, x, create_graph=True)
        (gxx,) = mg.grad(gx, x)
        assert gxx.item() == second
    x, y = Tensor(0.0, requires_grad=True), Tensor(1.0, requires_grad=True)
    (gx,) = mg.grad(x**y, x, create_graph=True)
    (gxy,) = mg.grad(gx, y)
    assert gxy.item() == 1.0


@st.composite
def _bases_and_exponents(draw):
    """A positive base and an exponent away from 0, of broadcastable shapes."""
    from minigrad.testing import broadcastable_shapes, tensors

    base_shape, exponent_shape = draw(broadcastable_shapes(2))
    return (
        draw(tensors(shape=base_shape, min_value=0.2, max_value=3.0)),
        draw(tensors(shape=exponent_shape, min_value=-2.0, max_value=3.0, avoid=[0.0], min_distance=0.05)),
    )


@given(_bases_and_exponents())
def test_pow_first_and_second_derivatives_match_finite_differences_away_from_zero(xy):
    assert mg.gradcheck(lambda x, y: x**y, xy)
    assert mg.gradgradcheck(lambda x, y: x**y, xy)


def _pow_derivatives(torch, x, y, scalar_exponent):
    """x^y, its first derivatives and its second derivatives (None where unused), as floats: by
    minigrad, or by PyTorch when ``torch`` is given."""
    if torch is None:
        tensor, grad = (lambda v: Tensor(v, requires_grad=True)), mg.grad
    else:
        tensor, grad = (lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)), torch.autograd.grad
    bx = tensor(x)
    wrt = (bx,) if scalar_exponent else (bx, tensor(y))
    z = bx**y if scalar_exponent else bx ** wrt[1]
    first = grad(z, wrt, create_graph=True)
    second = [grad(g, wrt, allow_unused=True) if g.requires_grad else (None,) * len(wrt) for g in first]
    value = lambda t: None if t is None else float(t.item())  # noqa: E731
    return [value(z)] + [value(g) for g in first] + [value(h) for row in second for h in row]


# NOTE: a negative base only with a number exponent: d/dy x^y = x^y log x is nan for x < 0.
CONVENTION_POINTS = [(0.0, 0.0), (0.0, 1.0), (0.0, 2.0), (0.0, 3.0), (2.0, 0.0), (0.5, 0.0)]
CONVENTION_CASES = [(x, y, scalar) for x, y in CONVENTION_POINTS for scalar in (False, True)]
CONVENTION_CASES += [(-2.0, 0.0, True), (-2.0, 3.0, True)]


@pytest.mark.parametrize("x, y, scalar_exponent", CONVENTION_CASES)
def test_pow_value_and_first_derivatives_at_a_zero_base_or_exponent_match_torch(x, y, scalar_exponent):
    torch = pytest.importorskip("torch")
    n = 2 if scalar_exponent else 3
    ours, theirs = _pow_derivatives(None, x, y, scalar_exponent), _pow_derivatives(torch, x, y, scalar_exponent)
    assert ours[:n] == theirs[:n]


@pytest.mark.parametrize("scalar_exponent", [False, True], ids=["tensor exponent", "number exponent"])
@pytest.mark.parametrize("y", [0.0, 1.0, 2.0, 3.0])
def test_pow_second_derivatives_at_a_zero_base_match_torch_where_torch_gives_numbers(y, scalar_exponent):
    """Where PyTorch's double backward gives nan (0 * inf inside its rule), minigrad gives 0: the
    derivative through the where that holds the first derivative at 0 at that point (where x^y is
    not twice differentiable, as relu'' = 0 at its kink)."""
    torch = pytest.importorskip("torch")
    n = 2 if scalar_exponent else 3
    ours, theirs = _pow_derivatives(None, 0.0, y, scalar_exponent), _pow_derivatives(torch, 0.0, y, scalar_exponent)
    for mine, reference in zip(ours[n:], theirs[n:]):
        if reference is None or np.isnan(reference):
            assert mine in (None, 0.0)
        else:
            assert mine == reference


@pytest.mark.parametrize("x", [2.0, 0.5, 3.0])
def test_pow_second_derivatives_at_a_zero_exponent_and_nonzero_base_are_the_true_ones(x):
    """d/dx x^y = y x^(y-1) is 0 at y = 0 by its own formula, so no convention is needed there and
    the second derivatives stay the true ones (PyTorch's mixed one is 0 there, not 1/x)."""
    z, gx, gy, gxx, gxy, gyx, gyy = _pow_derivatives(None, x, 0.0, scalar_exponent=False)
    assert (z, gx, gxx) == (1.0, 0.0, 0.0)
    assert gy == pytest.approx(np.log(x), abs=1e-15)
    assert gxy == pytest.approx(1 / x) and gyx == pytest.approx(1 / x)
    assert gyy == pytest.approx(np.log(x) ** 2)


# --- 7. requires_grad is set only on a leaf, and only to a bool ----------------------------------


@pytest.mark.parametrize("value", [False, True])
def test_setting_requires_grad_on_a_non_leaf_is_refused_and_changes_nothing(value):
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"requires_grad: .*only on a leaf.*made by Mul.*detach\(\)"):
        y.requires_grad = value
    assert y.requires_grad and y.grad_fn is not None


@pytest.mark.parametrize("value", ["yes", 1, 0, np.True_, None, 1.0])
def test_requires_grad_other_than_a_bool_is_refused_naming_what_was_given(value):
    x = Tensor([1.0])
    given = f"{type(value).__name__} {value!r}"
    with pytest.raises(TypeError, match=rf"requires_grad must be a bool, got {re.escape(given)}"):
        x.requires_grad = value
    assert x.requires_grad is False
    with pytest.raises(TypeError, match=rf"requires_grad must be a bool, got {re.escape(given)}"):
        Tensor([1.0], requires_grad=value)
    with pytest.raises(TypeError, match=rf"requires_grad must be a bool, got {re.escape(given)}"):
        x.requires_grad_(value)
    assert x.requires_grad is False


def test_a_leaf_takes_requires_grad_true_and_false_and_ops_follow_it():
    x = Tensor([1.0, 2.0])
    x.requires_grad = True
    assert (x * 2).requires_grad
    x.requires_grad = False
    assert not (x * 2).requires_grad and x.requires_grad_().requires_grad


# --- 8. softmax and log_softmax of a 0-d tensor and over an empty axis ---------------------------


@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_and_log_softmax_of_a_0d_tensor_are_1_and_0_with_gradient_0(axis):
    for method, value in [(Tensor.softmax, 1.0), (Tensor.log_softmax, 0.0)]:
        x = Tensor(3.0, requires_grad=True)
        y = method(x, axis)
        assert y.shape == () and y.item() == value
        y.backward()
        assert x.grad.shape == () and x.grad.item() == 0.0


@pytest.mark.parametrize("method", [Tensor.softmax, Tensor.log_softmax])
def test_softmax_of_a_0d_tensor_refuses_an_axis_other_than_0_or_minus_1(method):
    with pytest.raises(ValueError, match=r"axis 1 is out of range \[-1, 0\] for shape \(\)"):
        method(Tensor(3.0), 1)


@pytest.mark.parametrize("method", [Tensor.softmax, Tensor.log_softmax])
@pytest.mark.parametrize("shape, axis", [((2, 0), -1), ((0, 3), 0), ((0,), 0), ((0, 3), -1), ((2, 0, 3), 1)])
def test_softmax_over_an_empty_tensor_gives_an_empty_tensor_and_gradient(method, shape, axis):
    x = Tensor(np.zeros(shape, np.float32), requires_grad=True)
    y = method(x, axis)
    assert y.shape == shape and y.dtype == np.float32
    y.sum().backward()
    assert x.grad.shape == shape and x.grad.dtype == np.float32


@pytest.mark.parametrize("method", [Tensor.softmax, Tensor.log_softmax])
def test_softmax_over_an_empty_tensor_still_refuses_an_axis_out_of_range(method):
    with pytest.raises(ValueError, match=r"axis 2 is out of range \[-2, 1\] for shape \(2, 0\)"):
        method(Tensor(np.zeros((2, 0))), 2)


@given(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), elements=st.floats(-5, 5)),
    st.data(),
)
def test_softmax_and_log_softmax_of_any_shape_match_torch(array, data):
    pytest.importorskip("torch")
    axis = data.draw(st.integers(-max(array.ndim, 1), max(array.ndim, 1) - 1))
    for name in ("softmax", "log_softmax"):
        check_against_torch(lambda x, name=name: getattr(x, name)(axis), array, atol=1e-14)


# --- changes in place through a view -------------------------------------------------------------


def test_a_change_in_place_through_a_view_of_a_saved_tensor_is_refused():
    a = Tensor([1.0, 2.0], requires_grad=True)
    h = a * 2
    view = h.reshape(2)
    y = (h * h).sum()
    with mg.no_grad(), pytest.raises(RuntimeError, match=r"add_: this tensor of shape \(2,\) is a view"):
        view.add_(10.0)
    np.testing.assert_array_equal(h.numpy(), [2.0, 4.0])  # refused before writing: nothing changed
    y.backward()
    np.testing.assert_array_equal(a.grad.numpy(), [8.0, 16.0])


def test_a_view_made_without_recording_is_refused_too():
    h = Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True) * 1.0
    with mg.no_grad():
        rows = h.reshape(2, 2)
        with pytest.raises(RuntimeError, match="is a view"):
            rows.mul_(0.0)


def test_a_gradient_that_is_a_view_of_the_callers_gradient_is_stored_as_a_copy():
    x, z = Tensor(np.ones((2, 2)), requires_grad=True), Tensor(np.ones(4), requires_grad=True)
    seed = Tensor(np.arange(4.0))
    (x.reshape(4) + z).backward(seed)
    assert not np.shares_memory(x.grad.numpy(), seed.numpy()) and not np.shares_memory(x.grad.numpy(), z.grad.numpy())
    with mg.no_grad():
        x.grad.zero_()
    np.testing.assert_array_equal(seed.numpy(), [0.0, 1.0, 2.0, 3.0])


def test_an_accumulated_grad_records_no_graph_without_create_graph_even_from_a_hook_that_does():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.register_hook(lambda grad: grad * Tensor([1.0, 1.0], requires_grad=True))
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])
    assert not x.grad.requires_grad and x.grad.grad_fn is None
