"""The demos: programs that train networks and show, with minigrad's own measurements, where
gradients vanish and ReLUs die. ``minigrad demo NAME`` runs one (``minigrad demo`` all of them),
printing its tables and writing its pictures and a page into ``./minigrad-out/NAME/``.

Each demo is a module here with a ``main(argv)`` that runs it (``--quick``, ``--seed N``,
``--out DIR``) and returns its measured numbers; :class:`~minigrad.demos.harness.DemoRun`
writes its page. They need Matplotlib and scikit-learn (``pip install 'minigrad-backprop[demos]'``); importing this
package does not.

Reading order: harness.py, then any demo: micrograd.py (Karpathy's walkthrough), vanishing.py,
dying_relu.py, activations.py, through_time.py (and its _gates, _page and _plots); digits.py holds the
first two's runs on real images; all.py runs them all.
"""

# NOTE: command names, in the order `minigrad demo all` runs them; the module of 'dying-relu' is dying_relu.py.
NAMES = ("vanishing", "dying-relu", "activations", "micrograd", "through-time")
