"""Each activation in one home: its op class carries its formula and the facts the diagnostics
read (``family``, ``derivative_range``, ``derivative_never_zero``), and each fact is checked here
against the op's own derivative; ``F.<name>`` runs the op and the nn module runs ``F.<name>``."""

import re

import numpy as np
import pytest

import minigrad as mg
from minigrad import Tensor
from minigrad import functional as F
from minigrad.analysis import stats
from minigrad.nn.activations import ACTIVATIONS
from minigrad.ops import elementwise
from minigrad.ops.arithmetic import Add


def op_of(name):
    """The op class that F.<name> runs (the last node of its graph)."""
    weight = {"prelu": (Tensor([0.25]),)}.get(name, ())
    return getattr(F, name)(Tensor([1.0], requires_grad=True), *weight).grad_fn.function


OPS = {name: op_of(name) for name in ACTIVATIONS}
# A fine grid over the part of the line where every extremum of f' lies, its kinks, and its tails.
GRID = np.concatenate([np.linspace(-40.0, 40.0, 800_001), [-3.0, 0.0, 3.0, 6.0, -1e300, 1e300]])


def derivative(op, x, **params):
    x = Tensor(x, requires_grad=True)
    (d,) = mg.grad(op.apply(x, **params), x, grad_outputs=np.ones_like(x.numpy()))
    return d.numpy()


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_the_function_runs_the_op_and_the_module_runs_the_function(name, monkeypatch):
    x = Tensor([-1.5, 0.25, 2.0], requires_grad=True)
    module = ACTIVATIONS[name]()
    assert module(x).grad_fn.function is OPS[name]
    called = []
    monkeypatch.setattr(F, name, lambda *args, **kwargs: called.append(name) or x)
    module(x)
    assert called == [name]


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_the_docstring_opens_with_f_and_its_derivative_in_one_form(name):
    first_line = OPS[name].__doc__.splitlines()[0]
    assert re.fullmatch(rf"{name}\(x(, \w+)?\) = .+;  {name}'\(x\) = .+", first_line), first_line


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_every_activation_states_its_facts(name):
    op = OPS[name]
    assert op.family in ("relu", "saturating", None)
    assert op.derivative_range is None or (
        len(op.derivative_range) == 2 and op.derivative_range[0] < op.derivative_range[1]
    )
    assert op.derivative_never_zero in (True, False)


@pytest.mark.parametrize("name", [name for name in ACTIVATIONS if OPS[name].derivative_range is not None])
def test_derivative_range_is_the_smallest_and_largest_derivative(name):
    low, high = OPS[name].derivative_range
    d = derivative(OPS[name], GRID)
    assert low - 1e-12 <= d.min() <= low + 1e-8
    assert high - 1e-8 <= d.max() <= high + 1e-12


@pytest.mark.parametrize("op", [OPS[name] for name in ACTIVATIONS if OPS[name].derivative_never_zero])
def test_an_op_whose_derivative_is_never_zero_computes_no_zero_away_from_its_tails(op):
    assert np.all(derivative(op, np.linspace(-20.0, 20.0, 4001)) != 0)


@pytest.mark.parametrize("op", [elementwise.Exp, elementwise.Log, elementwise.Sqrt])
def test_exp_log_and_sqrt_state_that_their_derivative_is_never_zero(op):
    assert stats.derivative_never_zero(op)
    assert np.all(derivative(op, np.linspace(0.01, 20.0, 2000)) != 0)


@pytest.mark.parametrize("op", [OPS[name] for name in ACTIVATIONS if OPS[name].family == "saturating"])
def test_the_saturating_family_saturates_in_both_tails(op):
    d = np.abs(derivative(op, np.array([-1e3, 1e3])))
    assert np.all(d < stats.SATURATION_LEVEL * stats.derivative_peak(op))


@pytest.mark.parametrize("op", [OPS[name] for name in ACTIVATIONS if OPS[name].family == "relu"])
def test_the_relu_family_is_the_identity_above_0_and_flat_below_at_slope_0(op):
    params = {"negative_slope": 0.0} if op is OPS["leaky_relu"] else {}
    d = derivative(op, np.array([-3.0, -0.5, 0.5, 3.0]), **params)
    np.testing.assert_array_equal(d, [0.0, 0.0, 1.0, 1.0])


def test_an_op_that_states_no_facts_has_none():
    assert (stats.family(Add), stats.derivative_peak(Add), stats.derivative_never_zero(Add)) == (None, None, False)
