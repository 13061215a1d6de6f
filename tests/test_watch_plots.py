"""The pictures of a watch recording: what each Axes draws is the recording's numbers."""

import struct

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import matplotlib
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from minigrad import Tensor, nn, optim
from minigrad.diagnostics import Recording, watch
from minigrad.diagnostics.recording import HEALTHY_RATIO
from minigrad.diagnostics.watch_plots import plot_histograms, plot_recording, plot_unit_states, plot_update_ratios


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


def test_the_figure_by_default_shows_the_charts_then_the_histograms_of_the_first_and_last_steps(recording):
    figure = plot_recording(recording)
    assert [ax.get_title() for ax in figure.axes] == [
        "update-to-data ratio per step",
        "dead or saturated units",
        "activations at step 0",
        "gradients at step 0",
        "activations at step 8",
        "gradients at step 8",
    ]
    # 12 inches wide, 3.6 per row, laid out so that titles and labels do not overlap
    assert figure.get_size_inches().tolist() == [12.0, 3.6 * 3]
    assert type(figure.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"
    # shown inline in a notebook at 80 dots per inch
    png = recording._repr_png_()
    assert struct.unpack(">II", png[16:24]) == (12 * 80, round(3.6 * 3 * 80))


def test_the_figure_of_no_step_shows_the_two_charts_alone(recording):
    figure = plot_recording(recording, steps=[])
    assert [ax.get_title() for ax in figure.axes] == ["update-to-data ratio per step", "dead or saturated units"]
    assert figure.get_size_inches().tolist() == [12.0, 3.6]


def test_the_ratio_chart_is_labelled_and_its_legend_names_the_band_and_each_weight(recording):
    ax = Figure().add_subplot()
    plot_update_ratios(recording, ax)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("step", "log10(std(update) / std(weight))")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "healthy (-4 to -2)",
        "0.weight",
        "2.weight",
        "4.weight",
    ]
    (target,) = [line for line in ax.get_lines() if line.get_label() not in recording.weights()]
    assert list(target.get_ydata()) == [-3, -3]  # the healthy ratio, -3, marked


def test_the_ratio_chart_of_parameters_named_draws_those_alone(recording):
    ax = Figure().add_subplot()
    plot_update_ratios(recording, ax, parameters=("2.bias", "0.weight"))
    drawn = {line.get_label(): line.get_ydata() for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert list(drawn) == ["2.bias", "0.weight"]
    np.testing.assert_array_equal(drawn["2.bias"], recording.update_ratio["2.bias"])


def test_the_unit_states_chart_draws_each_layer_in_one_colour_dead_solid_saturated_dashed(recording):
    ax = Figure().add_subplot()
    plot_unit_states(recording, ax)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines) == ["1 dead", "1 saturated", "3 dead", "3 saturated"]
    assert [lines[label].get_color() for label in lines] == ["C0", "C0", "C1", "C1"]
    assert [lines[label].get_linestyle() for label in lines] == ["-", "--", "-", "--"]
    for label, line in lines.items():
        name, state = label.split()
        np.testing.assert_array_equal(line.get_xdata(), recording.steps)
        np.testing.assert_array_equal(line.get_ydata(), getattr(recording, state)[name])
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_ylim()) == ("step", "share of the layer's units", (-0.03, 1.03))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(lines)


def test_each_histogram_curve_is_at_the_bin_centres_and_its_legend_gives_mean_std_and_zeros(recording):
    axes = Figure().subplots(1, 2)
    plot_histograms(recording, 2, axes, layers=["3"])
    at = recording.index(2)
    for ax, kind in zip(axes, ("activations", "gradients")):
        (line,) = ax.get_lines()
        h = getattr(recording, kind)["3"][at]
        np.testing.assert_allclose(line.get_xdata(), (h.edges[:-1] + h.edges[1:]) / 2, rtol=1e-15)
        np.testing.assert_allclose(line.get_ydata(), h.counts / h.num / np.diff(h.edges), rtol=1e-15)
        label = f"3: mean {h.mean:+.2g}, std {h.std:.2g}" + (
            f", zeros {h.zero_fraction:.0%}" if kind == "activations" else ""
        )
        assert line.get_label() == label and [t.get_text() for t in ax.get_legend().get_texts()] == [label]
        assert (ax.get_title(), ax.get_ylabel(), line.get_color()) == (f"{kind} at step 2", "density", "C0")
        assert line.get_linewidth() < matplotlib.rcParams["lines.linewidth"]  # thin, so that the layers' curves compare


@pytest.mark.parametrize(
    "draw, message",
    [
        (lambda r: plot_recording(r), "plot_recording: the recording has no step yet"),
        (lambda r: plot_update_ratios(r, Figure().add_subplot()), "plot_update_ratios: the recording has no step yet"),
        (lambda r: plot_unit_states(r, Figure().add_subplot()), "plot_unit_states: the recording has no step yet"),
        (lambda r: plot_histograms(r, 0, Figure().subplots(1, 2)), "plot_histograms: the recording has no step yet"),
    ],
)
def test_a_recording_of_no_step_is_refused_naming_the_call(draw, message):
    with pytest.raises(ValueError) as error:
        draw(Recording(every=1, layers=["1"], parameters=[]))
    assert str(error.value) == message + " (train at least one step inside watch)"


@pytest.mark.parametrize("draw", [plot_recording, plot_unit_states, plot_update_ratios])
def test_what_is_not_a_recording_is_refused_naming_the_call(draw):
    with pytest.raises(TypeError) as error:
        draw({"steps": [0]}, Figure().add_subplot()) if draw is not plot_recording else draw({"steps": [0]})
    assert str(error.value) == (
        f"{draw.__name__}: recording must be a Recording (from minigrad.diagnostics.watch), got dict"
    )


def test_histograms_need_two_axes(recording):
    with pytest.raises(ValueError) as error:
        plot_histograms(recording, 0, Figure().subplots(1, 3))
    assert str(error.value) == "plot_histograms: axes must be two Axes (activations, gradients), got 3"


def test_the_ratio_chart_shades_the_band_lightly_and_keeps_its_lines_thin_and_its_legend_small(recording):
    ax = Figure().add_subplot()
    plot_update_ratios(recording, ax)
    (band,) = ax.patches
    assert band.get_facecolor()[:3] == to_rgb("tab:green") and band.get_alpha() < 0.5  # the curves show through
    (target,) = [line for line in ax.get_lines() if line.get_label() not in recording.weights()]
    curves = [line for line in ax.get_lines() if line.get_label() in recording.weights()]
    assert (to_rgb(target.get_color()), target.get_linestyle()) == (to_rgb("tab:green"), "--")
    # thinner than matplotlib's default, the -3 mark thinner still, so that many weights stay readable
    default = matplotlib.rcParams["lines.linewidth"]
    assert all(target.get_linewidth() < curve.get_linewidth() < default for curve in curves)
    assert max(t.get_fontsize() for t in ax.get_legend().get_texts()) < ax.yaxis.label.get_fontsize()


def test_every_legend_is_smaller_than_the_axis_labels(recording):
    figure = plot_recording(recording)
    for ax in figure.axes:
        assert max(t.get_fontsize() for t in ax.get_legend().get_texts()) < ax.yaxis.label.get_fontsize()


def test_the_histograms_of_a_step_draw_no_curve_where_there_was_no_value_or_no_gradient():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh())
    with watch(model) as recording:
        for batch, backward in ((np.ones((4, 2)), True), (np.ones((4, 2)), False), (np.ones((0, 2)), True)):
            out = model(Tensor(batch))
            if backward:
                out.sum().backward()
            recording.step()
    assert recording.gradients["1"][1] is None and recording.activations["1"][2].num == 0
    for step, drawn in ((1, (1, 0)), (2, (0, 0))):
        axes = Figure().subplots(1, 2)
        plot_histograms(recording, step, axes)
        assert tuple(len(ax.get_lines()) for ax in axes) == drawn
