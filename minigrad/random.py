"""The default random generator: where every draw goes that is given no ``rng`` (``nn.Linear``'s
initial weights, ``nn.Dropout``'s masks, ``minigrad.randn``, the ``nn.init`` and ``data``
functions), so that :func:`manual_seed` makes a whole run repeat, as ``torch.manual_seed``.

NOTE: the numbers are NumPy's (PCG64), not PyTorch's: a seed repeats a minigrad run, it does not
give the values ``torch.manual_seed`` with the same seed gives. Like :mod:`minigrad.arrays` this
module imports nothing of minigrad, so every layer may use it (:func:`minigrad.arguments.check_rng`
hands out its generator for ``rng=None``).
"""

from __future__ import annotations

import numbers

import numpy as np

_default = np.random.default_rng()  # NOTE: fresh entropy until manual_seed is called


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the default generator to ``seed`` (an int >= 0) and return it, as ``torch.manual_seed``.

    Examples
    --------
    >>> _ = minigrad.manual_seed(0)
    >>> first = minigrad.randn(2)
    >>> _ = minigrad.manual_seed(0)
    >>> bool((minigrad.randn(2) == first).all())
    True
    """
    global _default
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"manual_seed: seed must be an int >= 0, got {type(seed).__name__} {seed!r:.40}")
    _default = np.random.default_rng(int(seed))
    return _default


def default_generator() -> np.random.Generator:
    """The generator every draw given no ``rng`` uses (see :func:`manual_seed`).

    Examples
    --------
    >>> from minigrad.random import default_generator
    >>> seeded = minigrad.manual_seed(0)
    >>> default_generator() is seeded
    True
    """
    return _default
