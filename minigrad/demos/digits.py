"""The two failures on real images: the vanishing and dying-ReLU demos' runs on handwritten digits
scikit-learn's 1,797 8x8 digits (:func:`minigrad.data.load_digits`), split once by the seed into
a training set and 360 test images. :func:`vanishing_section` measures a deep sigmoid MLP's
gradient layer by layer next to ReLU with He init, sigmoid with residual connections and
LayerNorm, and a small CNN, then trains them; :func:`dying_relu_section` trains a small CNN under
a too-high learning rate and under biases at -1, with ReLU and four alternatives, and counts its
dead channels and units. Each adds its sections to the demo's page and returns its numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np
from matplotlib.figure import Figure

from minigrad import Tensor, nn, no_grad, optim
from minigrad.data import DataLoader, load_digits
from minigrad.demos.harness import DemoRun
from minigrad.diagnostics import ActivationMonitor, gradient_flow
from minigrad.losses import cross_entropy
from minigrad.nn.activations import ACTIVATIONS as ACTIVATION_CLASSES
from minigrad.report import Table, number, percent

__all__ = ["dying_relu_section", "vanishing_section"]

Data: TypeAlias = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
Activation: TypeAlias = str | Callable[[], nn.Module]

TEST_IMAGES, QUICK_TRAIN, QUICK_TEST, BATCH = 360, 128, 120, 64
CHANNELS = (8, 16)  # the small CNN's two convolutions
WEIGHTED = (nn.Linear, nn.Conv2d)  # the layers whose biases a bad bias condition sets


def split(seed: int, quick: bool) -> Data:
    """The digits as images, shuffled by ``seed``: (X_train, y_train, X_test, y_test); fewer when quick."""
    X, y = load_digits()
    order = np.random.default_rng(seed).permutation(len(y))
    test, train = order[:TEST_IMAGES], order[TEST_IMAGES:]
    if quick:
        train, test = train[:QUICK_TRAIN], test[:QUICK_TEST]
    return X[train], y[train], X[test], y[test]


def make_activation(activation: Activation) -> nn.Module:
    return ACTIVATION_CLASSES[activation]() if isinstance(activation, str) else activation()


def cnn(activation: Activation, channels: tuple[int, int], hidden: int | None, seed: int) -> nn.Sequential:
    """conv 3x3 -> activation -> max pool 2 (twice: 8x8 -> 4x4 -> 2x2), flatten, [Linear -> activation], Linear."""
    rng = np.random.default_rng(seed)
    c1, c2 = channels
    layers = [nn.Conv2d(1, c1, 3, padding=1, rng=rng), make_activation(activation), nn.MaxPool2d(2)]
    layers += [nn.Conv2d(c1, c2, 3, padding=1, rng=rng), make_activation(activation), nn.MaxPool2d(2), nn.Flatten()]
    width = 4 * c2
    if hidden is not None:
        layers += [nn.Linear(width, hidden, rng=rng), make_activation(activation)]
        width = hidden
    return nn.Sequential(*layers, nn.Linear(width, 10, rng=rng))


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    with no_grad():
        return float(np.mean(model(Tensor(X)).numpy().argmax(axis=1) == y))


def train_epoch(model: nn.Module, optimizer: optim.Optimizer, loader: DataLoader) -> float:
    """One pass of Adam over the mini-batches; the mean of their losses."""
    losses = []
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return float(np.mean(losses))


# ---------------------------------------------------------------- vanishing gradients on digits

DEPTH, WIDTH, VANISHING_LR = 20, 32, 3e-3
MLPS: dict[str, dict[str, Any]] = {
    "sigmoid": dict(activation="sigmoid", init="xavier_uniform"),
    "relu, He init": dict(activation="relu", init="kaiming_normal"),
    "sigmoid + residual + layernorm": dict(activation="sigmoid", init="xavier_uniform", residual=True, norm="layer"),
}
CNN_NAME = "small CNN (relu)"


def vanishing_models(seed: int) -> dict[str, nn.Module]:
    """The three deep MLPs (on the 64 pixels as a row) and the small CNN (on the 8x8 image)."""
    models: dict[str, nn.Module] = {
        f"{name}, {DEPTH} hidden layers": nn.MLP([64] + [WIDTH] * DEPTH + [10], rng=seed, **options)
        for name, options in MLPS.items()
    }
    models[CNN_NAME] = cnn("relu", CHANNELS, None, seed)
    return models


def inputs_for(model: nn.Module, X: np.ndarray) -> np.ndarray:
    return X.reshape(len(X), -1) if isinstance(model, nn.MLP) else X


def measure_flow(model: nn.Module, X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """At initialisation, on the training set: each weighted layer's weight-gradient norm (Linear and
    Conv2d; not LayerNorm's gain), first to last."""
    with ActivationMonitor(model) as monitor:
        cross_entropy(model(Tensor(X)), y).backward()
    flow = gradient_flow(model, monitor)
    model.zero_grad()
    return {"weights": [w.norm for w in flow.weights], "ratio": flow.ratio, "activation_ratio": flow.activation_ratio}


def vanishing_run(demo: DemoRun) -> dict[str, Any]:
    """Measure every model at initialisation, then train it with Adam; the test accuracy after every epoch."""
    X_train, y_train, X_test, y_test = split(demo.seed, demo.quick)
    epochs = 1 if demo.quick else 6
    models = vanishing_models(demo.seed)
    bar = demo.progress(len(models) * epochs, f"digits: training {len(models)} models")
    runs: dict[str, dict[str, Any]] = {}
    for name, model in models.items():
        run = runs[name] = measure_flow(model, inputs_for(model, X_train), y_train)
        optimizer = optim.Adam(model.parameters(), lr=VANISHING_LR)
        loader = DataLoader(inputs_for(model, X_train), y_train, batch_size=BATCH, rng=demo.seed)
        run["losses"], run["test_accuracy"] = [], [accuracy(model, inputs_for(model, X_test), y_test)]
        for _ in range(epochs):
            run["losses"].append(train_epoch(model, optimizer, loader))
            run["test_accuracy"].append(accuracy(model, inputs_for(model, X_test), y_test))
            bar.update()
        run["final_accuracy"] = run["test_accuracy"][-1]
    bar.close()
    config = {"train": len(y_train), "test": len(y_test), "epochs": epochs, "depth": DEPTH, "width": WIDTH}
    return {"config": {**config, "lr": VANISHING_LR, "batch": BATCH}, "runs": runs}


def plot_vanishing(runs: dict[str, dict[str, Any]]) -> Figure:
    fig = Figure(figsize=(12, 4.2), layout="constrained")
    flow, curve = fig.subplots(1, 2)
    for name, r in runs.items():
        norms = np.asarray(r["weights"])
        flow.plot(np.arange(1, len(norms) + 1), norms / norms[-1], marker=".", label=name)
        curve.plot(r["test_accuracy"], marker=".", label=name)
    flow.set(
        yscale="log",
        xlabel="weighted layer (1 = next to the input)",
        ylabel="weight-gradient norm ÷ the last layer's",
        title="digits, at initialisation",
    )
    curve.set(xlabel="epoch (Adam, mini-batches of 64)", ylabel="test accuracy", ylim=(0, 1.02), title="training")
    for ax in (flow, curve):
        ax.grid(True, alpha=0.3)
    curve.legend(fontsize=8)
    return fig


def vanishing_text(results: dict[str, Any]) -> str:
    """The section's paragraph, its numbers from ``results``."""
    runs, config = results["runs"], results["config"]
    sigmoid, relu, fixed = (runs[f"{name}, {DEPTH} hidden layers"] for name in MLPS)
    conv = runs[CNN_NAME]
    return (
        f"scikit-learn's 8x8 digits ({config['train']} training and {config['test']} test images). "
        f"At initialisation the first Linear layer of the {DEPTH}-layer sigmoid MLP gets {number(sigmoid['ratio'])} "
        f"of the last one's weight gradient; with ReLU and He init {number(relu['ratio'])}, with residual "
        f"connections and LayerNorm {number(fixed['ratio'])}, and the small CNN's first convolution "
        f"{number(conv['ratio'])}. After {config['epochs']} epochs of Adam (learning rate {config['lr']:g}) their "
        f"test accuracies are {percent(sigmoid['final_accuracy'])}, {percent(relu['final_accuracy'])}, "
        f"{percent(fixed['final_accuracy'])} and {percent(conv['final_accuracy'])}."
    )


def vanishing_table(runs: dict[str, dict[str, Any]]) -> Table:
    rows = [
        [name, len(r["weights"]), r["ratio"], r["activation_ratio"], r["losses"][-1], percent(r["final_accuracy"])]
        for name, r in runs.items()
    ]
    columns = ["model", "weighted layers", "weight grad first/last", "activation grad first/last"]
    return Table([*columns, "training loss, last epoch", "test accuracy"], rows)


def vanishing_section(demo: DemoRun) -> dict[str, Any]:
    """Run the digits models, add their section to the page, return their numbers.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     runs = vanishing_section(DemoRun("vanishing", "Vanishing gradients", ["--quick", "--out", folder]))["runs"]
    >>> runs["sigmoid, 20 hidden layers"]["ratio"] < 1e-9 < runs["small CNN (relu)"]["ratio"]   # first layer / last
    True
    """
    results = vanishing_run(demo)
    demo.section("On real images: handwritten digits", vanishing_text(results))
    demo.figure(plot_vanishing(results["runs"]), "digits_gradient_flow.png")
    demo.table(vanishing_table(results["runs"]))
    return results


# ---------------------------------------------------------------- dying ReLUs on digits

HIDDEN = 32
DYING_LR, HIGH_LR, BAD_BIAS = 1e-2, 0.1, -1.0
CONDITIONS: dict[str, dict[str, Any]] = {
    "healthy": {"bias": None, "high_epochs": 0},
    f"lr {HIGH_LR:g} for 1 epoch": {"bias": None, "high_epochs": 1},
    f"biases at {BAD_BIAS:g}": {"bias": BAD_BIAS, "high_epochs": 0},
}
LAYERS = ("conv 1 channels", "conv 2 channels", "hidden units")
# condition -> activation -> what was measured
Runs: TypeAlias = dict[str, dict[str, dict[str, Any]]]


def dying_model(activation: Activation, condition: str, seed: int) -> nn.Sequential:
    """The small CNN with PyTorch's default initialisation; under a bad bias condition every layer's
    bias but the output layer's is set to it."""
    model = cnn(activation, CHANNELS, HIDDEN, seed)
    bias = CONDITIONS[condition]["bias"]
    if bias is not None:
        with no_grad():
            for layer in [m for m in model.modules() if isinstance(m, WEIGHTED)][:-1]:
                assert layer.bias is not None  # the layers are made with biases
                layer.bias.fill_(bias)
    return model


def census(model: nn.Module, X: np.ndarray, y: np.ndarray, X_test: np.ndarray, y_test: np.ndarray) -> dict[str, Any]:
    """Each activation layer's dead share over the training set (channels, then units), and the test accuracy."""
    with ActivationMonitor(model) as monitor, no_grad():
        model(Tensor(X))
    units = list(monitor.summary().values())
    return {
        "dead": [u.dead_fraction for u in units],
        "dead_count": [int(u.dead.sum()) for u in units],
        "never_active": [u.never_active_fraction for u in units],
        "test_accuracy": accuracy(model, X_test, y_test),
    }


def dying_run(demo: DemoRun, activations: dict[str, Activation]) -> dict[str, Any]:
    """Train every activation under every condition; a census before training and after every epoch."""
    X_train, y_train, X_test, y_test = split(demo.seed, demo.quick)
    epochs = 1 if demo.quick else 3
    runs: Runs = {}
    for condition, setting in CONDITIONS.items():
        bar = demo.progress(len(activations) * epochs, f"digits, {condition}: training {len(activations)} activations")
        runs[condition] = {}
        for name, activation in activations.items():
            model = dying_model(activation, condition, demo.seed)
            optimizer = optim.Adam(model.parameters(), lr=DYING_LR)
            loader = DataLoader(X_train, y_train, batch_size=BATCH, rng=demo.seed)
            history = [census(model, X_train, y_train, X_test, y_test)]
            for epoch in range(epochs):
                for group in optimizer.param_groups:
                    group["lr"] = HIGH_LR if epoch < setting["high_epochs"] else DYING_LR
                train_epoch(model, optimizer, loader)
                history.append(census(model, X_train, y_train, X_test, y_test))
                bar.update()
            runs[condition][name] = {"history": history, "final": history[-1]}
        bar.close()
    config = {"train": len(y_train), "test": len(y_test), "epochs": epochs, "channels": list(CHANNELS)}
    return {"config": {**config, "hidden": HIDDEN, "lr": DYING_LR, "batch": BATCH}, "runs": runs}


def plot_dying(runs: Runs) -> Figure:
    """Per condition: ReLU's dead share of each layer (solid), every activation's test accuracy (dotted).

    The other activations are left out of the dead shares: none of their channels or units can die."""
    fig = Figure(figsize=(14, 4), layout="constrained")
    axes = fig.subplots(1, len(runs), sharey=True)
    for ax, (condition, by_activation) in zip(axes, runs.items()):
        dead = np.array([h["dead"] for h in by_activation["relu"]["history"]])
        for layer, label in enumerate(LAYERS):
            ax.plot(dead[:, layer], lw=2.5, label=f"relu: dead {label}")
        for activation, r in by_activation.items():
            ax.plot([h["test_accuracy"] for h in r["history"]], ":", marker=".", label=f"{activation}: test accuracy")
        ax.set(title=condition, xlabel="epoch", ylim=(-0.05, 1.05))
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel("share")
    axes[-1].legend(fontsize=7)
    return fig


def dying_text(results: dict[str, Any]) -> str:
    """The section's paragraph, its numbers from ``results``."""
    runs, config = results["runs"], results["config"]
    high, bias = list(CONDITIONS)[1:]
    c1, c2 = CHANNELS

    def dead(condition: str) -> str:
        counts = runs[condition]["relu"]["final"]["dead_count"]
        return ", ".join(f"{n} of {k} {label}" for n, k, label in zip(counts, (c1, c2, HIDDEN), LAYERS))

    return (
        f"A CNN on scikit-learn's 8x8 digits (conv 3x3 to {c1} channels, max pool, conv 3x3 to {c2} channels, "
        f"max pool, Linear to {HIDDEN} hidden units, Linear to 10; PyTorch's default initialisation; Adam at "
        f"{config['lr']:g}, mini-batches of {BATCH}, {config['epochs']} epochs on {config['train']} images, tested on "
        f"{config['test']}). A channel is dead when its output and its gradient are zero at every position of every "
        f"training image; leaky ReLU, PReLU, ELU and GELU pass a gradient where they are off, so they cannot die: "
        f"'off on every image' is the share of channels and units off at every position of every training image all "
        f"the same (the mean over the three layers). "
        f"With {high}, ReLU ends with {dead(high)} dead and {percent(runs[high]['relu']['final']['test_accuracy'])} "
        f"test accuracy; with {bias}, {dead(bias)} dead and {percent(runs[bias]['relu']['final']['test_accuracy'])}. "
        f"Solid lines: ReLU's dead share of each layer; dotted: each activation's test accuracy."
    )


def dying_table(runs: Runs) -> Table:
    rows = [
        [
            condition,
            activation,
            *(percent(d) for d in r["final"]["dead"]),
            percent(float(np.mean(r["final"]["never_active"]))),
            percent(r["final"]["test_accuracy"]),
        ]
        for condition, by_activation in runs.items()
        for activation, r in by_activation.items()
    ]
    dead = [f"dead {label}" for label in LAYERS]
    return Table(["condition", "activation", *dead, "off on every image", "test accuracy"], rows)


def dying_relu_section(demo: DemoRun, activations: dict[str, Activation]) -> dict[str, Any]:
    """Run the digits CNNs under every condition, add their section to the page, return their numbers.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     demo = DemoRun("dying-relu", "Dying ReLUs", ["--quick", "--out", folder])
    ...     bad_bias = dying_relu_section(demo, {"relu": "relu", "elu": "elu"})["runs"]["biases at -1"]
    >>> bad_bias["relu"]["final"]["dead"], bad_bias["elu"]["final"]["dead"]   # conv 1, conv 2, hidden
    ([1.0, 1.0, 1.0], [0.0, 0.0, 0.0])
    """
    results = dying_run(demo, activations)
    demo.section("On real images: dead channels in a small CNN on digits", dying_text(results))
    demo.figure(plot_dying(results["runs"]), "digits_dead_channels.png")
    demo.table(dying_table(results["runs"]))
    return results
