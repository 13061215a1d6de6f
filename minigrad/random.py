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


class Generator(np.random.Generator):
    """A random generator to give the ``generator=`` of a draw, as ``torch.Generator``:
    ``Generator().manual_seed(n)`` is one that draws the same numbers every run. It is a NumPy
    Generator (PCG64), so every ``rng=`` argument takes it too.

    Examples
    --------
    >>> g = minigrad.Generator().manual_seed(42)
    >>> first = minigrad.randn(2, generator=g)
    >>> bool((minigrad.randn(2, generator=minigrad.Generator().manual_seed(42)) == first).all())
    True
    """

    def __init__(self, device: str = "cpu") -> None:
        if device != "cpu":
            raise TypeError(f"Generator: minigrad runs on the CPU only, got device={device!r}")
        super().__init__(np.random.PCG64())

    def manual_seed(self, seed: int) -> Generator:
        """Restart this generator from ``seed`` (an int >= 0); returns it, as PyTorch's.

        Examples
        --------
        >>> g = minigrad.Generator()
        >>> g.manual_seed(0) is g
        True
        """
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise TypeError(f"manual_seed: seed must be an int >= 0, got {type(seed).__name__} {seed!r:.40}")
        self.bit_generator.state = np.random.PCG64(int(seed)).state
        return self


_default: np.random.Generator = Generator()  # NOTE: fresh entropy until manual_seed is called


def manual_seed(seed: int) -> Generator:
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
    _default = Generator().manual_seed(seed)
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
