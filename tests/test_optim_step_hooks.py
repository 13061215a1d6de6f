"""Optimizer.register_step_pre_hook / register_step_post_hook: PyTorch's names and semantics."""

import numpy as np
import pytest

from minigrad import optim
from minigrad.nn import Parameter


def make(kind=optim.SGD):
    w = Parameter(np.array([1.0, 2.0]))
    opt = kind([w], lr=0.1)
    (w * w).sum().backward()
    return w, opt


def test_pre_hook_sees_the_weights_before_the_update_and_post_hook_after():
    w, opt = make()
    seen = []
    opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(("pre", o, w.numpy().copy(), args, kwargs)))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append(("post", o, w.numpy().copy(), args, kwargs)))
    opt.step()
    assert [s[0] for s in seen] == ["pre", "post"]
    assert seen[0][1] is opt and seen[1][1] is opt
    np.testing.assert_array_equal(seen[0][2], [1.0, 2.0])
    np.testing.assert_allclose(seen[1][2], [0.8, 1.6])
    assert seen[0][3:] == ((opt,), {}) and seen[1][3:] == ((opt,), {})


def test_hooks_run_in_registration_order_every_step_until_removed():
    w, opt = make(optim.Adam)
    calls = []
    first = opt.register_step_post_hook(lambda *_: calls.append(1))
    opt.register_step_post_hook(lambda *_: calls.append(2))
    opt.step()
    first.remove()
    opt.step()
    assert calls == [1, 2, 2]


def test_a_closure_reaches_the_hooks_and_a_pre_hook_can_replace_it():
    w, opt = make()
    got = []

    def closure():
        return "mine"

    def other():
        return "replaced"

    opt.register_step_post_hook(lambda o, args, kwargs: got.append(args))
    assert opt.step(closure) == "mine"
    opt.register_step_pre_hook(lambda o, args, kwargs: ((o, other), {}))
    assert opt.step(closure) == "replaced"
    assert got == [(opt, closure), (opt, other)]


def test_a_pre_hook_returning_something_else_than_none_or_a_pair_is_refused_before_any_update():
    w, opt = make()
    opt.register_step_pre_hook(lambda *_: "oops")
    with pytest.raises(
        RuntimeError,
        match=r"SGD.step: a step pre-hook must return None or a tuple \(new_args, new_kwargs\), got 'oops'",
    ):
        opt.step()
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])


@pytest.mark.parametrize("method", ["register_step_pre_hook", "register_step_post_hook"])
def test_a_hook_that_is_not_callable_is_refused_by_name(method):
    w, opt = make()
    with pytest.raises(TypeError, match=rf"SGD.{method}: hook must be callable, got int"):
        getattr(opt, method)(3)


def test_the_hooks_match_pytorchs():
    torch = pytest.importorskip("torch")
    events = {}
    for name, lib, make_param in (
        ("torch", torch.optim, lambda: torch.nn.Parameter(torch.tensor([1.0, 2.0], dtype=torch.float64))),
        ("minigrad", optim, lambda: Parameter(np.array([1.0, 2.0]))),
    ):
        w = make_param()
        opt = lib.SGD([w], lr=0.1, momentum=0.9)
        log = events[name] = []
        opt.register_step_pre_hook(lambda o, args, kwargs, log=log: log.append(("pre", len(args), sorted(kwargs))))
        opt.register_step_post_hook(lambda o, args, kwargs, log=log: log.append(("post", len(args), sorted(kwargs))))

        def closure(w=w, opt=opt):
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss

        opt.step(closure)
        opt.step()
        log.append([float(v) for v in (w.detach().numpy() if name == "torch" else w.numpy())])
    assert events["minigrad"][:-1] == events["torch"][:-1]
    np.testing.assert_allclose(events["minigrad"][-1], events["torch"][-1])
