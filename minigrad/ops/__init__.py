"""The ops, one Function subclass each, grouped by kind: arithmetic, elementwise math,
reductions, shape, the activations, softmax, and the losses; numerics.py holds what they share.

Each activation's class also states what the diagnostics (:mod:`minigrad.analysis.stats`) know about
its derivative, as class attributes next to its formula:

``family``
    ``'relu'`` (relu, leaky_relu, relu6: the diagnostics count its *dead* units, zero output and
    zero derivative on every example), ``'saturating'`` (sigmoid, tanh, softsign, hardtanh,
    hardsigmoid: bounded, with f' falling to 0 in both tails, so they count its *saturated*
    units, f' below 1 % of its peak on every example), or None.
``derivative_range``
    (inf f', sup f') over the real line, at the default parameters; its larger absolute value
    is the derivative's peak. None when it depends on a learned weight (prelu).
``derivative_never_zero``
    True when f' is zero nowhere, or only at isolated points (silu, gelu): a computed 0 is then
    rounding, not the rule. Exp, Log and Sqrt state it too; an op that does not is taken to
    have none of these facts.
"""
