"""What a gradient check found: each disagreeing, kinked or jumping Jacobian :class:`Entry`, the
:class:`GradcheckReport` that lists them in words, and the :class:`GradcheckError` that names the worst.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


class GradcheckError(AssertionError):
    """The analytic and numeric gradients disagree (the message names the worst entry).

    Examples
    --------
    >>> from minigrad.gradcheck import gradcheck
    >>> def square(x):                       # x^2, but the graph sees x * constant: derivative x, not 2x
    ...     return x * x.detach()
    >>> gradcheck(square, Tensor([2.0], requires_grad=True))
    Traceback (most recent call last):
    minigrad.gradcheck.report.GradcheckError: gradcheck: input 0, element (0,) (...): analytic 2.0, numeric 4.0..., error 2 > ...
    """


@dataclass(frozen=True)
class Entry:
    """One Jacobian entry d outputs[output][output_index] / d inputs[input][index], both ways.

    Examples
    --------
    >>> from minigrad.gradcheck import gradcheck_report
    >>> report = gradcheck_report(lambda x: x.abs(), Tensor([0.0, 2.0], requires_grad=True))
    >>> report.kinks[0]                      # |x| at 0: left derivative -1, right 1, the op says 0
    Entry(input=0, index=(0,), output=0, output_index=(0,), analytic=0.0, numeric=0.0, left=-1.0, right=1.0, kink=True, jump=False)
    >>> report.kinks[0].convention
    'between'
    """

    input: int
    index: tuple[int, ...]
    output: int
    output_index: tuple[int, ...]
    analytic: float
    numeric: float  # central difference
    left: float  # (f(x) - f(x - eps)) / eps
    right: float  # (f(x + eps) - f(x)) / eps
    kink: bool  # left and right disagree beyond the tolerance
    jump: bool  # f itself jumps here: the differences grow like 1 / eps

    @property
    def convention(self) -> str:
        """Which value the op chose at a kink: 'left', 'right', 'between' or 'outside'."""
        if np.isclose(self.analytic, self.left, rtol=1e-3, atol=1e-5):
            return "left"
        if np.isclose(self.analytic, self.right, rtol=1e-3, atol=1e-5):
            return "right"
        return "between" if min(self.left, self.right) < self.analytic < max(self.left, self.right) else "outside"


@dataclass
class GradcheckReport:
    """What :func:`gradcheck_report` found: failing entries (worst first), kinks and jumps.

    Examples
    --------
    >>> from minigrad.gradcheck import gradcheck_report
    >>> report = gradcheck_report(lambda x: x.abs(), Tensor([0.0, 2.0], requires_grad=True))
    >>> report.ok, report.checked, len(report.failures)
    (True, 4, 0)
    >>> print(report)
    gradcheck: all 4 Jacobian entries agree
      kink at input 0, element (0,) (element (0,) of the output): left -1, right 1, analytic 0 (between)
    """

    failures: list[Entry] = field(default_factory=list)
    kinks: list[Entry] = field(default_factory=list)  # kinks and jumps, passing or not
    checked: int = 0  # Jacobian entries compared
    caller: str = "gradcheck"
    input_names: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)
    eps: float = 1e-6
    atol: float = 1e-5
    rtol: float = 1e-3

    @property
    def ok(self) -> bool:
        """True when every Jacobian entry agreed."""
        return not self.failures

    def where(self, e: Entry) -> str:
        """Where entry ``e`` is, in words.

        Examples
        --------
        >>> from minigrad.gradcheck import gradcheck_report
        >>> report = gradcheck_report(lambda x: x.abs(), Tensor([0.0, 2.0], requires_grad=True))
        >>> report.where(report.kinks[0])
        'input 0, element (0,) (element (0,) of the output)'
        """
        return f"{self.input_names[e.input]}, element {e.index} (element {e.output_index} of {self.output_names[e.output]})"

    def message(self) -> str:
        """The worst failure in words, or '' when everything passed.

        Examples
        --------
        >>> from minigrad.gradcheck import gradcheck_report
        >>> square = lambda x: x * x.detach()   # x^2, but the graph sees x * constant: derivative x
        >>> gradcheck_report(square, Tensor([1.0, 2.0], requires_grad=True)).message()
        'gradcheck: input 0, element (1,) (element (1,) of the output): analytic 2.0, numeric 4.0..., error 2 > tolerance 0.00401; 2 of 4 Jacobian entries disagree'
        """
        if self.ok:
            return ""
        e = self.failures[0]
        text = (
            f"{self.caller}: {self.where(e)}: analytic {e.analytic!r}, numeric {e.numeric!r}, "
            f"error {abs(e.analytic - e.numeric):.6g} > tolerance {self.atol + self.rtol * abs(e.numeric):.6g}; "
            f"{len(self.failures)} of {self.checked} Jacobian entries disagree"
        )
        if e.kink:
            text += (
                f"; a kink with left derivative {e.left!r} and right derivative {e.right!r}, and analytic outside them"
            )
        return text

    def __str__(self) -> str:
        lines = [self.message() or f"{self.caller}: all {self.checked} Jacobian entries agree"]
        for e in self.kinks:
            if e.jump:
                lines.append(
                    f"  jump at {self.where(e)}: the function jumps by {2 * self.eps * e.numeric:.3g}, no derivative; analytic {e.analytic:.6g}"
                )
            else:
                lines.append(
                    f"  kink at {self.where(e)}: left {e.left:.6g}, right {e.right:.6g}, analytic {e.analytic:.6g} ({e.convention})"
                )
        return "\n".join(lines)
