"""gradcheck: compare the gradients minigrad computes with central finite differences.

Read check.py (the checks a user calls), then jacobians.py (the Jacobians both ways, and the rules
that accept kinks and jumps), then report.py (what was found, in words).

NOTE: ``minigrad.gradcheck`` is the function; ``import minigrad.gradcheck`` or ``from
minigrad.gradcheck import gradcheck_report`` reach this package.
"""

from minigrad.gradcheck.check import gradcheck, gradcheck_report, gradgradcheck
from minigrad.gradcheck.jacobians import TensorFunction
from minigrad.gradcheck.report import Entry, GradcheckError, GradcheckReport

__all__ = [
    "gradcheck",
    "gradgradcheck",
    "gradcheck_report",
    "GradcheckError",
    "GradcheckReport",
    "Entry",
    "TensorFunction",
]
