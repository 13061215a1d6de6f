"""Vanishing through time: the adding problem, four recurrent cells, measured step by step
Each sequence has T steps of two inputs: a number from U(0, 1) and a marker, 1 at two positions
(one in each half) and 0 elsewhere; the target is the sum of the two marked numbers
(Hochreiter and Schmidhuber 1997). A tanh RNN, a ReLU RNN with identity recurrent weights (Le,
Jaitly and Hinton 2015), an LSTM and a GRU (minigrad's cells, stepped one time step at a time,
hidden size 32, a Linear read-out of the last state) are measured at initialisation for T = 10,
30 and 100 (the gradient of the loss at every h_t), trained with Adam at T = 100, and a tanh RNN
with recurrent weights of spectral radius 2 is trained with and without clip_grad_norm_.

    minigrad demo through-time [--quick] [--seed N] [--out DIR]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from minigrad import Tensor, nn, no_grad, optim
from minigrad.demos import through_time_page as page
from minigrad.demos.harness import DemoRun
from minigrad.losses import mse_loss
from minigrad.report import Table

__all__ = ["main", "adding_problem", "AddingNet", "CELLS"]

NAME = "through-time"
HIDDEN, BATCH = 32, 32
LEARNED = 0.1  # a network has learned when its test MSE is below this share of the baseline's
STEPS, SGD_STEPS = 1000, 200
PICTURED = 10  # the length of the unrolled pictures: Graphviz takes minutes to lay out 30 steps
RADIUS, CLIP, SGD_LR = 2.0, 1.0, 0.1  # the exploding case: W_hh's spectral radius, max_norm, SGD's lr


def adding_problem(length: int, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``count`` sequences of the adding problem, (length, count, 2), and their targets, (count,).

    Channel 0 holds numbers from U(0, 1), channel 1 the markers: one at a position drawn from the
    first half, one from the second half. The target is the sum of the two marked numbers.

    Examples
    --------
    >>> from minigrad.demos.through_time import adding_problem
    >>> x, y = adding_problem(6, 4, np.random.default_rng(0))
    >>> x.shape, y.shape, x[:, :, 1].sum(axis=0).tolist()
    ((6, 4, 2), (4,), [2.0, 2.0, 2.0, 2.0])
    >>> bool(np.allclose(y, (x[:, :, 0] * x[:, :, 1]).sum(axis=0)))
    True
    """
    values = rng.uniform(0.0, 1.0, (length, count))
    markers = np.zeros((length, count))
    columns = np.arange(count)
    markers[rng.integers(0, length // 2, count), columns] = 1.0
    markers[rng.integers(length // 2, length, count), columns] = 1.0
    return np.stack([values, markers], axis=-1), np.sum(values * markers, axis=0)


def tanh_rnn(rng: np.random.Generator) -> nn.RNNCell:
    return nn.RNNCell(2, HIDDEN, rng=rng)


def identity_relu_rnn(rng: np.random.Generator, radius: float = 1.0) -> nn.RNNCell:
    """A ReLU RNN cell with W_hh = radius * I and zero biases (Le, Jaitly and Hinton's IRNN at radius 1)."""
    cell = nn.RNNCell(2, HIDDEN, nonlinearity="relu", rng=rng)
    with no_grad():
        cell.weight_hh.copy_(radius * np.eye(HIDDEN))
        for bias in (cell.bias_ih, cell.bias_hh):
            assert bias is not None  # the cell was made with bias=True
            bias.zero_()
    return cell


def lstm(rng: np.random.Generator) -> nn.LSTMCell:
    return nn.LSTMCell(2, HIDDEN, rng=rng)


def gru(rng: np.random.Generator) -> nn.GRUCell:
    return nn.GRUCell(2, HIDDEN, rng=rng)


CELLS: dict[str, Callable[[np.random.Generator], nn.Module]] = {
    "tanh RNN": tanh_rnn,
    "ReLU RNN, identity init": identity_relu_rnn,
    "LSTM": lstm,
    "GRU": gru,
}
# NOTE: Adam's learning rate per cell: at 1e-2 the identity-initialised ReLU RNN blows up in its
# first steps (a step of 1e-2 on every entry of W_hh = I lifts its spectral radius well above 1).
LRS = {"tanh RNN": 1e-2, "ReLU RNN, identity init": 1e-3, "LSTM": 1e-2, "GRU": 1e-2}


class AddingNet(nn.Module):
    """A recurrent cell stepped along the sequence, then a Linear read-out of its last h_t.

    Examples
    --------
    >>> from minigrad.demos.through_time import AddingNet
    >>> net = AddingNet(nn.GRUCell(2, 4, rng=0), 4)
    >>> states, prediction = net.unroll(Tensor(np.ones((5, 3, 2))))
    >>> len(states), states[0].shape, prediction.shape
    (5, (3, 4), (3,))
    """

    def __init__(self, cell: nn.Module, hidden: int, seed: int = 0) -> None:
        super().__init__()
        self.cell, self.head = cell, nn.Linear(hidden, 1, rng=seed)

    def unroll(self, x: Tensor) -> tuple[list[Tensor], Tensor]:
        """Every h_t, t = 1 .. T, and the prediction read from h_T; ``x`` is (T, N, 2).

        Examples
        --------
        >>> from minigrad.demos.through_time import AddingNet
        >>> net = AddingNet(nn.RNNCell(2, 3, rng=0), 3)
        >>> states, prediction = net.unroll(Tensor(np.zeros((4, 2, 2))))
        >>> [h.shape for h in states], prediction.shape
        ([(2, 3), (2, 3), (2, 3), (2, 3)], (2,))
        """
        state: Any = None
        states = []
        for t in range(x.shape[0]):
            state = self.cell(x[t], state)
            states.append(state[0] if isinstance(state, tuple) else state)
        return states, self.head(states[-1])[:, 0]

    def forward(self, x: Tensor) -> Tensor:
        return self.unroll(x)[1]


def build(name: str, seed: int) -> AddingNet:
    return AddingNet(CELLS[name](np.random.default_rng(seed)), HIDDEN, seed)


def step_gradients(model: AddingNet, x: np.ndarray, y: np.ndarray) -> list[float]:
    """||d loss / d h_t|| for t = 1 .. T (Frobenius norm over the batch), by retain_grad on each h_t."""
    states, prediction = model.unroll(Tensor(x))
    for h in states:
        h.retain_grad()
    mse_loss(prediction, Tensor(y)).backward()
    model.zero_grad()
    return [float(np.linalg.norm(h.grad.numpy())) if h.grad is not None else 0.0 for h in states]


def train(
    model: AddingNet,
    length: int,
    steps: int,
    rng: np.random.Generator,
    bar: tqdm,
    lr: float = 1e-2,
    clip: float | None = None,
    optimizer: optim.Optimizer | None = None,
) -> dict[str, Any]:
    """``steps`` steps on fresh batches (Adam at ``lr`` unless an ``optimizer`` is given), the
    gradient clipped to norm ``clip`` if given; the loss and the gradient norm (before clipping)
    at every step."""
    optimizer = optimizer if optimizer is not None else optim.Adam(model.parameters(), lr=lr)
    losses, norms = [], []
    for _ in range(steps):
        x, y = adding_problem(length, BATCH, rng)
        optimizer.zero_grad()
        loss = mse_loss(model(Tensor(x)), Tensor(y))
        loss.backward()
        norms.append(nn.utils.clip_grad_norm_(model.parameters(), np.inf if clip is None else clip).item())
        optimizer.step()
        losses.append(loss.item())
        bar.update()
    return {"losses": losses, "grad_norms": norms}


def evaluate(model: AddingNet, x: np.ndarray, y: np.ndarray) -> float:
    """The test MSE."""
    with no_grad():
        return float(mse_loss(model(Tensor(x)), Tensor(y)).item())


def exploding_rnn(rng: np.random.Generator, radius: float) -> nn.RNNCell:
    """A tanh RNN cell whose W_hh is ``radius`` times a random orthogonal matrix: every eigenvalue has modulus ``radius``."""
    cell = nn.RNNCell(2, HIDDEN, rng=rng)
    with no_grad():
        nn.init.orthogonal_(cell.weight_hh, gain=radius, rng=rng)
    return cell


def spectral_radius(cell: nn.Module) -> float:
    """The largest modulus of an eigenvalue of the cell's W_hh."""
    return float(np.max(np.abs(np.linalg.eigvals(cell.weight_hh.numpy()))))


def measure(demo: DemoRun, lengths: tuple[int, ...], batch: int) -> dict[int, dict[str, list[float]]]:
    """At initialisation, ||d loss / d h_t|| at every step for each cell, on the same batch at each T."""
    rng = np.random.default_rng(demo.seed)
    return {
        T: {name: step_gradients(build(name, demo.seed), *data) for name in CELLS}
        for T, data in ((T, adding_problem(T, batch, rng)) for T in lengths)
    }


def learn(demo: DemoRun, length: int, steps: int, test: int) -> dict[str, Any]:
    """Train each cell at ``length`` on the same stream of batches; its test MSE against the baseline's."""
    x, y = adding_problem(length, test, np.random.default_rng(demo.seed + 1))
    baseline = float(np.mean((y - y.mean()) ** 2))  # predicting the mean target: 1/6 in expectation
    bar = demo.progress(len(CELLS) * steps, f"training {len(CELLS)} cells at T = {length}")
    runs: dict[str, dict[str, Any]] = {}
    for name in CELLS:
        model = build(name, demo.seed)
        r = train(model, length, steps, np.random.default_rng(demo.seed + 2), bar, lr=LRS[name])
        mse = evaluate(model, x, y)
        after = step_gradients(model, *adding_problem(length, BATCH, np.random.default_rng(demo.seed + 3)))
        runs[name] = {
            **r,
            "lr": LRS[name],
            "test_mse": mse,
            "ratio": mse / baseline,
            "learned": mse < LEARNED * baseline,
        }
        runs[name]["after_training"] = after
        runs[name]["model"] = model
    bar.close()
    return {"length": length, "steps": steps, "test_sequences": test, "baseline": baseline, "runs": runs}


def explode(demo: DemoRun, length: int, steps: int) -> dict[str, Any]:
    """The tanh RNN with W_hh of spectral radius RADIUS, trained by SGD with and without clipping."""
    data = adding_problem(length, BATCH, np.random.default_rng(demo.seed + 4))
    model = AddingNet(exploding_rnn(np.random.default_rng(demo.seed), RADIUS), HIDDEN, demo.seed)
    result: dict[str, Any] = {"radius": spectral_radius(model.cell), "at_init": step_gradients(model, *data)}
    bar = demo.progress(2 * steps, f"SGD at T = {length}, spectral radius {RADIUS}, with and without clipping")
    result["runs"] = {}
    for label, clip in (("no clipping", None), (f"clip_grad_norm_({CLIP:g})", CLIP)):
        model = AddingNet(exploding_rnn(np.random.default_rng(demo.seed), RADIUS), HIDDEN, demo.seed)
        optimizer = optim.SGD(model.parameters(), lr=SGD_LR)
        with np.errstate(all="ignore"):  # NOTE: without clipping the loss overflows to inf and NaN: it is shown
            r = train(model, length, steps, np.random.default_rng(demo.seed + 2), bar, clip=clip, optimizer=optimizer)
        finite = [loss for loss in r["losses"] if np.isfinite(loss)]
        r["final_loss"] = r["losses"][-1]
        r["max_loss"] = max(finite) if finite else float("inf")
        r["nonfinite_steps"] = len(r["losses"]) - len(finite)
        result["runs"][label] = r
    bar.close()
    return result


def run(demo: DemoRun) -> dict[str, Any]:
    """Measure every cell at every T, train them at the longest, and the exploding case."""
    lengths = (10, 30, 100)
    batch, steps, test, sgd_steps = (4, 2, 50, 2) if demo.quick else (BATCH, STEPS, 1000, SGD_STEPS)
    config = {"hidden": HIDDEN, "batch": BATCH, "lengths": list(lengths), "lr": LRS, "seed": demo.seed}
    config.update(learned_below=LEARNED, radius=RADIUS, clip=CLIP, sgd_lr=SGD_LR)
    return {
        "config": config,
        "at_init": measure(demo, lengths, batch),
        "training": learn(demo, lengths[-1], steps, test),
        "exploding": explode(demo, lengths[-1], sgd_steps),
    }


def learned_table(training: dict[str, Any]) -> Table:
    rows = [
        [
            name,
            r["lr"],
            r["losses"][-1],
            r["test_mse"],
            training["baseline"],
            r["ratio"],
            "yes" if r["learned"] else "no",
            r["after_training"][0] / r["after_training"][-1],
        ]
        for name, r in training["runs"].items()
    ]
    columns = [
        "cell",
        "Adam lr",
        "last batch MSE",
        "test MSE",
        "baseline MSE",
        "÷ baseline",
        "learned",
        "d h_1 ÷ d h_T",
    ]
    return Table(columns, rows, title=f"T = {training['length']}, {training['steps']} steps")


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Measure, train and explain; write the page and return the numbers.

    ``argv`` holds the options (None: the command line's). The numbers: under ``at_init``, for
    each T and cell, ||d loss / d h_t|| for t = 1 .. T; under ``training``, each cell's curves,
    test MSE and the baseline's at the longest T; under ``exploding``, the clipped and unclipped
    runs; under ``gates`` and ``explain``, what the monitor, why_zero and diagnose found.

    Examples
    --------
    >>> import tempfile
    >>> from minigrad.demos import through_time
    >>> with tempfile.TemporaryDirectory() as out:
    ...     results = through_time.main(["--quick", "--out", out])
    <BLANKLINE>
    Vanishing through time: ...
    >>> at_100 = results["at_init"][100]
    >>> at_100["tanh RNN"][0] < 1e-12 * at_100["tanh RNN"][-1]      # d loss / d h_1, against d h_T
    True
    """
    demo = DemoRun(NAME, __doc__ or "", argv)
    results = run(demo)
    training = results["training"]
    summary = learned_table(training)
    page.show_steps(demo, results)
    page.show_training(demo, training, summary)
    page.show_exploding(demo, results["exploding"])
    models = {name: r.pop("model") for name, r in training["runs"].items()}
    rng = np.random.default_rng(demo.seed + 5)
    long = adding_problem(training["length"], 4 if demo.quick else BATCH, rng)
    middle, short = adding_problem(30, 4, rng), adding_problem(PICTURED, 4, rng)
    lstms = {"at initialisation": build("LSTM", demo.seed), f"trained at T = {training['length']}": models["LSTM"]}
    for bias in (page.FORGET_BIAS, -page.FORGET_BIAS):
        lstms[f"forget bias {bias:+g}"] = page.lstm_with_forget_bias(lambda: build("LSTM", demo.seed), bias)
    results["gates"] = page.show_gates(demo, lstms, long, step_gradients)
    shut = lstms[f"forget bias {-page.FORGET_BIAS:+g}"]
    results["explain"] = page.explain(demo, build("tanh RNN", demo.seed), middle, shut)
    page.pictures(demo, {name: build(name, demo.seed) for name in CELLS}, short, key="tanh RNN")
    return demo.finish(results, summary)
