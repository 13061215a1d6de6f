"""Regenerate the pictures in docs/images/ (each PNG with its .dot source beside it).

    .venv/bin/python docs/make_pictures.py

Needs Graphviz's ``dot`` program (``./run test`` installs it). The same pictures come from the
command line, e.g. ``minigrad draw mlp --activation sigmoid --depth 20 -o sigmoid_mlp.png``.
"""

from pathlib import Path

from minigrad.viz import render_graph
from minigrad.viz.examples import flags, mlp, neuron

IMAGES = Path(__file__).resolve().parent / "images"

PICTURES = {
    # micrograd's neuron, every value a scalar: data and grad on each node, the local derivative
    # on each edge (tanh' = 0.5), and w2's gradient exactly zero because x2 = 0.
    "neuron": (neuron(), "ops"),
    # 20 sigmoid layers: each multiplies the gradient by sigmoid' <= 0.25 (and the weights), so it
    # fades by 18 orders of magnitude from the loss to the first layer; the first 15 hidden layers
    # get less than 1e-6 of the loss's gradient and are flagged vanishing.
    "sigmoid_mlp_20_layers": (mlp("sigmoid", depth=20), "layers"),
    # A ReLU MLP with 3 units per layer forced dead (bias -100): black cells in each strip.
    "relu_mlp_dead_units": (mlp("relu", depth=4, width=12, dead=3), "layers"),
    # One branch per flag: zero by rule, underflow, vanishing, NaN / inf.
    "four_flags": (flags(), "ops"),
}


def main() -> None:
    for name, (example, mode) in PICTURES.items():
        path = render_graph(
            example.root, IMAGES / f"{name}.png", recording=example.recording, mode=mode, title=example.title
        )
        print(f"wrote {path.relative_to(IMAGES.parent.parent)}")


if __name__ == "__main__":
    main()
