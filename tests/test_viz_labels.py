"""The words and numbers on a picture's nodes and edges, for the cases a drawing rarely meets."""

import numpy as np

from minigrad import Tensor, nn, no_grad
from minigrad.analysis.stats import grad_summary
from minigrad.analysis.trace import Edge, Value
from minigrad.viz import record
from minigrad.viz.dot import local_label


def test_an_edge_whose_local_derivative_is_nan_everywhere_is_labelled_nan():
    edge = Edge(Value("v0", Tensor([1.0, 2.0]), "input"), local=np.array([np.nan, np.nan]))
    assert local_label(edge) == "×nan"


def test_a_gradient_summary_gives_the_share_of_non_finite_entries():
    assert "nonfinite 50%" in grad_summary(np.array([np.nan, 1.0]))


def test_a_module_call_that_records_no_graph_is_not_recorded():
    model = nn.Linear(2, 1, rng=0)
    with record(model) as recording, no_grad():
        model(Tensor(np.ones((1, 2))))
    assert recording.calls == []
