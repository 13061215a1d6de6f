"""pytest setup for the docstring examples, which run with ``--doctest-modules`` (see pyproject.toml).

Every example may use the names a reader has after the usual imports, as NumPy's and PyTorch's
docs assume them::

    import numpy as np
    import minigrad
    from minigrad import Tensor, nn, optim
    from minigrad import functional as F
"""

import os
import sys

import numpy as np
import pytest

import minigrad
import minigrad.nn
import minigrad.optim
from minigrad import functional

# NOTE: running minigrad/__main__.py is running the command line, so it is not imported to collect doctests.
collect_ignore = ["minigrad/__main__.py"]
# NOTE: the PyTorch scripts are programs that tests/test_pytorch_port*.py run; imported to collect
# doctests, they would run with pytest's arguments.
collect_ignore_glob = ["tests/pytorch_scripts/*"]

# NOTE: ./run mutate sets MINIGRAD_MUTATION. mutmut forks each mutant's process from one that has run the
# suite, and a process forked after torch started its threads can hang on a lock; so there torch is not
# importable and the PyTorch cross-checks skip (pytest.importorskip).
if os.environ.get("MINIGRAD_MUTATION"):
    sys.modules["torch"] = None


@pytest.fixture(autouse=True, scope="session")
def _doctest_names(doctest_namespace):
    doctest_namespace.update(np=np, minigrad=minigrad, Tensor=minigrad.Tensor, nn=minigrad.nn, optim=minigrad.optim)
    doctest_namespace["F"] = functional
