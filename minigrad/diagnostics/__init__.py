"""Diagnostics: measure where gradients vanish and which units are dead or saturated.

- :func:`gradient_flow` (flow.py): after a backward pass, the size of every parameter's gradient
  and of the gradient that reached each activation, and the first-to-last ratio over the weighted
  layers (Linear, convolutions, recurrent layers);
- :class:`ActivationMonitor` (monitor.py): per unit of every activation layer, through forward
  hooks, how often it is active and whether it is dead or saturated, batch by batch or epoch by
  epoch;
- :class:`HiddenStateMonitor` (through_time.py): the gradient that reached each recurrent layer's
  hidden state h_t at every time step;
- :func:`why_zero` (why.py): which ops stop the gradient between the loss and a tensor, with
  their inputs and regimes;
- :func:`diagnose` (diagnose.py): all of it in one call, as a table and plain-language findings
  with their numbers and the standard remedies;
- :func:`watch` (watcher.py): over training, every few optimiser steps, per layer the histograms of
  activations and gradients, the dead and saturated shares and the update-to-data ratios, kept
  in a :class:`Recording` (recording.py), copied into rows (watch_rows.py) and measured a batch
  of recorded steps at a time (watch_batch.py), drawn by watch_plots.py.

Reading order: monitor.py, through_time.py, flow.py, why.py, remedies.py, diagnose.py,
recording.py, watcher.py, watch_rows.py, watch_batch.py, watch_plots.py.
"""

from minigrad.diagnostics.diagnose import Diagnosis, Finding, diagnose
from minigrad.diagnostics.flow import GradientFlow, GradStats, gradient_flow
from minigrad.diagnostics.monitor import ActivationMonitor, UnitStats, local_derivative
from minigrad.diagnostics.recording import Histogram, Recording
from minigrad.diagnostics.through_time import HiddenStateMonitor
from minigrad.diagnostics.watcher import Watch, watch
from minigrad.diagnostics.why import Cause, Explanation, why_zero

__all__ = [
    "gradient_flow",
    "GradientFlow",
    "GradStats",
    "ActivationMonitor",
    "UnitStats",
    "local_derivative",
    "HiddenStateMonitor",
    "why_zero",
    "Explanation",
    "Cause",
    "diagnose",
    "Diagnosis",
    "Finding",
    "watch",
    "Watch",
    "Recording",
    "Histogram",
]
