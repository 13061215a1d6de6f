"""A first look: one neuron, its forward values, its backward gradients, checked by gradcheck.

    ./run demo            (or: python -m minigrad demo quickstart)
"""

import numpy as np

import minigrad as mg
from minigrad import Tensor


def neuron(x1, x2, w1, w2, b):
    """o = tanh(x1*w1 + x2*w2 + b): micrograd's example neuron."""
    return (x1 * w1 + x2 * w2 + b).tanh()


def main():
    names = ["x1", "x2", "w1", "w2", "b"]
    values = [2.0, 0.0, -3.0, 1.0, 6.8813735870195432]
    inputs = [Tensor(v, requires_grad=True, name=n) for n, v in zip(names, values)]
    out = neuron(*inputs)
    out.backward()
    print("One neuron, o = tanh(x1*w1 + x2*w2 + b)")
    print(f"  o = {out.item():.6f}")
    for t in inputs:
        print(f"  {t.name:>2} = {t.item():+.4f}   do/d{t.name} = {t.grad.item():+.6f}")
    print("  gradcheck against central differences:", mg.gradcheck(neuron, inputs))

    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)))
    w = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    loss = (x @ w).sigmoid().mean()
    loss.backward()
    print("\nA batch through a layer, loss = mean(sigmoid(x @ w))")
    print(f"  loss = {loss.item():.6f}")
    print("  dloss/dw =\n" + np.array2string(w.grad.data, precision=6, prefix="  "))
    print("  gradcheck:", mg.gradcheck(lambda w: (x @ w).sigmoid().mean(), [w]))


if __name__ == "__main__":
    main()
