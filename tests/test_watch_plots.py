"""The pictures of a watch recording: what each Axes draws is the recording's numbers."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from matplotlib.figure import Figure

from minigrad import Tensor, nn, optim
from minigrad.diagnostics import watch
from minigrad.diagnostics.recording import HEALTHY_RATIO
from minigrad.diagnostics.watch_plots import plot_histograms, plot_unit_states, plot_update_ratios


@pytest.fixture(scope="module")
def recording():
    model = nn.Sequential(
        nn.Linear(3, 8, rng=0), nn.ReLU(), nn.Linear(8, 8, rng=1), nn.Sigmoid(), nn.Linear(8, 1, rng=2)
    )
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    x = Tensor(np.random.default_rng(0).normal(size=(32, 3)))
    with watch(model, every=2, optimizer=opt, bins=12) as recording:
        for _ in range(9):
            opt.zero_grad()
            (model(x) ** 2).mean().backward()
            opt.step()
    return recording


def test_the_ratio_chart_draws_every_weights_ratios_over_the_steps_and_the_healthy_band(recording):
    ax = Figure().add_subplot()
    plot_update_ratios(recording, ax)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert recording.weights() == ["0.weight", "2.weight", "4.weight"]
    for name in recording.weights():
        np.testing.assert_array_equal(lines[name].get_xdata(), [0, 2, 4, 6, 8])
        np.testing.assert_array_equal(lines[name].get_ydata(), recording.update_ratio[name])
    (band,) = ax.patches
    assert (band.get_y(), band.get_y() + band.get_height()) == HEALTHY_RATIO


def test_the_unit_states_chart_draws_the_dead_and_saturated_shares(recording):
    ax = Figure().add_subplot()
    plot_unit_states(recording, ax)
    lines = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["1 dead"], recording.dead["1"])
    np.testing.assert_array_equal(lines["3 saturated"], recording.saturated["3"])


def test_the_histograms_at_a_step_are_densities_of_the_recorded_counts(recording):
    axes = Figure().subplots(1, 2)
    plot_histograms(recording, 4, axes)
    at = recording.index(4)
    for ax, table in zip(axes, (recording.activations, recording.gradients)):
        assert ax.get_title().endswith("at step 4")
        for line, name in zip(ax.get_lines(), recording.layers):
            h = table[name][at]
            area = np.sum(line.get_ydata() * np.diff(h.edges))
            assert area == pytest.approx(1.0)
            np.testing.assert_allclose(line.get_ydata() * h.num * np.diff(h.edges), h.counts)


def test_plot_is_one_figure_with_a_row_of_histograms_per_step_and_renders_to_png(recording):
    figure = recording.plot(steps=[0, 4, 8])
    assert isinstance(figure, Figure) and len(figure.axes) == 8
    assert [figure.axes[i].get_title() for i in (2, 4, 6)] == [
        "activations at step 0",
        "activations at step 4",
        "activations at step 8",
    ]
    png = recording._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "steps, error, message",
    [
        ([1], ValueError, r"Recording.index: step 1 was not recorded; the steps recorded are \[0, 2, 4, 6, 8\]"),
        ("0", TypeError, "plot_recording: steps must be a list of recorded steps or None, got str"),
    ],
)
def test_steps_not_recorded_are_refused_by_name(recording, steps, error, message):
    with pytest.raises(error, match=message):
        recording.plot(steps=steps)


def test_unknown_layer_or_parameter_names_are_refused(recording):
    with pytest.raises(ValueError, match=r"plot_update_ratios: parameters must be names among .* got \['5.weight'\]"):
        plot_update_ratios(recording, Figure().add_subplot(), parameters=["5.weight"])
    with pytest.raises(ValueError, match="plot_histograms: layers must be names among"):
        plot_histograms(recording, 0, Figure().subplots(1, 2), layers="1")
