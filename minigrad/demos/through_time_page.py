"""The through-time demo's page: its sections, the gate monitor, why_zero, diagnose and the
unrolled graph pictures. The experiment is in :mod:`minigrad.demos.through_time`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import Tensor, no_grad
from minigrad.analysis import record
from minigrad.demos.harness import DemoRun
from minigrad.demos.through_time_gates import GATES, WatchedLSTM, gate_report
from minigrad.demos.through_time_plots import plot_exploding, plot_steps, plot_training
from minigrad.diagnostics import ActivationMonitor, diagnose, why_zero
from minigrad.losses import mse_loss
from minigrad.report import Table, number, percent
from minigrad.viz import draw_graph

if TYPE_CHECKING:
    from minigrad.demos.through_time import AddingNet

__all__: list[str] = []  # NOTE: parts of the demo, run by minigrad.demos.through_time.main

Data = tuple[np.ndarray, np.ndarray]
FORGET_BIAS = 8.0  # sigmoid(8) = 0.99966: sigmoid' = 3.4e-4, below 1 % of its peak 0.25


def _first_over_last(norms: list[float]) -> float:
    return norms[0] / norms[-1] if norms[-1] else float("nan")


def show_steps(demo: DemoRun, results: dict[str, Any]) -> None:
    at_init, training = results["at_init"], results["training"]
    T = training["length"]
    trained = {name: r["after_training"] for name, r in training["runs"].items()}
    ratios = {name: _first_over_last(norms) for name, norms in at_init[T].items()}
    demo.section(
        "The gradient at every time step",
        (
            "||d loss / d h_t|| at every step t, divided by its value at the last step T, on a log scale: the "
            "time-wise twin of the vanishing demo's layer plot. The loss reads only h_T, so the gradient reaches "
            f"h_t through the T - t steps after it. At initialisation, at T = {T}, h_1 gets "
            + ", ".join(f"{number(ratio)} ({name})" for name, ratio in ratios.items())
            + " of h_T's gradient: the tanh RNN's, and at initialisation the LSTM's and GRU's too (their forget "
            "and update gates start near 1/2), fall by a constant factor per step; the ReLU RNN with W_hh = I passes "
            "it back nearly unchanged. The last panel is after training: "
            + ", ".join(f"{number(_first_over_last(norms))} ({name})" for name, norms in trained.items())
            + "."
        ),
    )
    demo.figure(plot_steps(at_init, trained, T), "gradient_through_time.png")
    rows = [[name] + [_first_over_last(at_init[length][name]) for length in at_init] for name in at_init[T]]
    demo.table(Table(["cell"] + [f"T = {length}: d h_1 ÷ d h_T" for length in at_init], rows))


def show_training(demo: DemoRun, training: dict[str, Any], summary: Table) -> None:
    learned = [name for name, r in training["runs"].items() if r["learned"]]
    stuck = [name for name, r in training["runs"].items() if not r["learned"]]
    demo.section(
        f"Which cells learn at T = {training['length']}",
        (
            f"Each cell trained with Adam for {training['steps']} steps on fresh batches of the adding problem at "
            f"T = {training['length']} (the same batches for all), then tested on {training['test_sequences']} new "
            f"sequences. The baseline predicts the mean target: its test MSE is {number(training['baseline'])} "
            f"(1/6 = 0.167 in expectation). Learned means a test MSE below {number(100 * 0.1)} % of the baseline's: "
            + (", ".join(learned) if learned else "none")
            + "; not learned in this budget: "
            + (", ".join(stuck) if stuck else "none")
            + ". The budget is small: LSTMs are usually given a forget-gate bias of 1 (Gers, Schmidhuber and "
            "Cummins 2000) and many more steps; here every cell has PyTorch's default initialisation. The last "
            "column is d loss / d h_1 over d loss / d h_T after training."
        ),
    )
    demo.figure(plot_training(training["runs"], training["baseline"]), "training.png")
    demo.table(summary)


def show_exploding(demo: DemoRun, exploding: dict[str, Any]) -> None:
    runs = exploding["runs"]
    plain, clipped = runs.values()
    growth = _first_over_last(exploding["at_init"])
    demo.section(
        "Exploding gradients, and clip_grad_norm_ taming them",
        (
            f"A tanh RNN whose W_hh is {number(exploding['radius'])} times a random orthogonal matrix (spectral radius "
            f"{number(exploding['radius'])}): at initialisation h_1 gets {number(growth)} times h_T's gradient, growing "
            f"back in time. Trained by SGD: without clipping the loss reaches {number(plain['max_loss'])} and is inf or "
            f"NaN at {plain['nonfinite_steps']} of {len(plain['losses'])} steps; with nn.utils.clip_grad_norm_ the "
            f"update is bounded whatever the gradient's norm (up to {number(max(clipped['grad_norms']))} before "
            f"clipping) and the last loss is {number(clipped['final_loss'])}."
        ),
    )
    demo.figure(plot_exploding(exploding), "exploding.png")
    rows = [
        [label, r["grad_norms"][0], max(r["grad_norms"]), r["max_loss"], r["nonfinite_steps"], r["final_loss"]]
        for label, r in runs.items()
    ]
    columns = ["SGD", "first grad norm", "largest grad norm", "largest finite loss", "inf/NaN steps", "last loss"]
    demo.table(Table(columns, rows))


def lstm_with_forget_bias(make: Callable[[], AddingNet], bias: float) -> AddingNet:
    """A fresh LSTM model whose forget gate's bias_ih is ``bias``: the gate stuck open (+) or shut (-)."""
    model = make()
    size, b = model.cell.hidden_size, model.cell.bias_ih.numpy().copy()
    b[size : 2 * size] = bias
    with no_grad():
        model.cell.bias_ih.copy_(b)
    return model


def show_gates(
    demo: DemoRun,
    models: dict[str, AddingNet],
    data: Data,
    step_gradients: Callable[[AddingNet, np.ndarray, np.ndarray], list[float]],
) -> dict[str, Any]:
    """The ActivationMonitor on the LSTM's gates, for each of ``models`` (LSTMs), over ``data``."""
    x, y = data
    found = {}
    for label, model in models.items():
        watched = WatchedLSTM(model.cell, model.head)
        with no_grad(), ActivationMonitor(watched) as monitor:
            watched(Tensor(x))
        found[label] = {**gate_report(watched, monitor), "d_h1": _first_over_last(step_gradients(model, x, y))}
    T, count = x.shape[0], x.shape[1]
    demo.section(
        "Saturated gates: an LSTM forget gate stuck near 0 or 1",
        (
            "An ActivationMonitor on the LSTM's four gates (the cell's own pre-activations, passed through "
            "modules it can watch: minigrad/demos/through_time_gates.py) over "
            f"{count} sequences of T = {T}: a unit is saturated when its derivative is below 1 % of its peak at "
            f"every step of every sequence. A forget bias of +{FORGET_BIAS:g} sticks the gate near 1: it is saturated, "
            f"so it cannot learn, but the cell state carries the gradient back (d h_1 ÷ d h_T "
            f"{number(found[f'forget bias +{FORGET_BIAS:g}']['d_h1'])}); at -{FORGET_BIAS:g} it is stuck near 0 and "
            f"the cell forgets at every step (d h_1 ÷ d h_T {number(found[f'forget bias -{FORGET_BIAS:g}']['d_h1'])})."
        ),
    )
    rows = [
        [label, r["forget_mean"]] + [percent(r["saturated"][gate]) for gate in GATES] + [r["d_h1"]]
        for label, r in found.items()
    ]
    columns = ["LSTM", "mean forget gate"] + [f"{gate.replace('_', ' ')}s saturated" for gate in GATES]
    demo.table(Table(columns + ["d h_1 ÷ d h_T"], rows))
    return found


def explain(demo: DemoRun, tanh: AddingNet, data: Data, shut: AddingNet) -> dict[str, Any]:
    """why_zero on h_1 of the ``tanh`` RNN and of the LSTM whose forget gate is ``shut``; diagnose on its gates."""
    x, y = data
    found: dict[str, Any] = {"tanh_radius": float(np.max(np.abs(np.linalg.eigvals(tanh.cell.weight_hh.numpy()))))}
    texts = []
    for label, model in (("tanh RNN", tanh), (f"LSTM, forget bias -{FORGET_BIAS:g}", shut)):
        with record(model) as recording:
            states, prediction = model.unroll(Tensor(x))
            loss = mse_loss(prediction, Tensor(y))
        explanation = why_zero(states[0], loss, recording)
        found[label] = explanation.to_dict()
        texts.append(f"why_zero(h_1) of the {label}, T = {x.shape[0]}:\n{brief(explanation)}")
    demo.section(
        "why_zero: why h_1's gradient vanished",
        (
            f"why_zero follows the gradient from the loss back to h_1 and names what shrinks it. In the tanh RNN no "
            "op blocks it: it summarises the path that carries the most gradient, where the tanh derivatives (near 1 "
            "at initialisation) matter less than the Linear maps h W_hh^T, whose W_hh (PyTorch's U(-k, k) init) has "
            f"spectral radius {number(found['tanh_radius'])}. In the LSTM with its forget gate stuck shut it names "
            "the saturated forget gate and the product c_{t-1} * f that passes back almost none of the gradient, "
            "at every step (the first causes are shown)."
        ),
    )
    demo.preformatted("\n\n".join(texts))
    watched = WatchedLSTM(shut.cell, shut.head)
    report = diagnose(watched, Tensor(x), Tensor(y), mse_loss)
    demo.section(
        f"diagnose() on the LSTM whose forget gate is stuck shut (bias -{FORGET_BIAS:g})",
        "The same model with its gates as modules, so that the ActivationMonitor inside diagnose() sees them.",
        key=False,
    )
    demo.preformatted(str(report))
    found["diagnose"] = [{"kind": f.kind, "layers": f.layers, "message": f.message} for f in report.findings]
    return found


def brief(explanation: Any, shown: int = 4) -> str:
    """why_zero's explanation with its blocking causes (the first ``shown``) and its path summaries."""
    lines = str(explanation).splitlines()
    causes = explanation.causes
    blocking = [line for line, c in zip(lines[1:], causes) if c.blocking][:shown]
    products = [line for line, c in zip(lines[1:], causes) if c.kind == "product"]
    hidden = len(causes) - len(blocking) - len(products)
    more = [f"  ... and {hidden} more causes, each on some units of one step"] if hidden else []
    return "\n".join([lines[0], *blocking, *more, *products])


def pictures(demo: DemoRun, models: dict[str, AddingNet], data: Data, key: str) -> None:
    """Each of ``models`` unrolled through time in layers mode: one node per step, coloured by its gradient."""
    x, y = data
    for index, (label, model) in enumerate(models.items()):
        with record(model) as recording:
            states, prediction = model.unroll(Tensor(x))
            loss = mse_loss(prediction, Tensor(y))
        demo.section(
            f"The {label} unrolled through T = {x.shape[0]} steps",
            (
                "draw_graph in layers mode: one node per call of the cell, that is per time step (the first at the "
                "top), filled by the size of the gradient at its h_t next to the loss's (log scale); a dotted border "
                "flags a gradient below 1e-6 of the loss's. Each edge from one step to the next is labelled with the "
                "RMS gain of the gradient on its way back."
            ),
            key=label == key,
        )
        graph = draw_graph(
            loss, recording=recording, mode="layers", title=f"{label}, T = {x.shape[0]}, at initialisation"
        )
        demo.graph(graph, f"unrolled_{index}_{label.split(',')[0].replace(' ', '_')}.svg")
