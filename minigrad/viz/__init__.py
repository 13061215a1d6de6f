"""Pictures of the graph that show where gradients go to zero::

    from minigrad.viz import draw_graph, render_graph
    draw_graph(loss)                    # a graphviz.Digraph: shows itself in Jupyter
    render_graph(loss, "loss.svg")      # writes loss.svg and loss.dot beside it

The picture: values filled by how big their gradient is next to the root's (log scale), four
flagged states (vanishing, zero by the op's rule, underflow, NaN / inf) drawn with their own
border and mark, edges as wide as the gradient they carry back and labelled with the op's local
derivative, and a strip of cells per activation showing its dead and saturated units. See
docs/viz.md for pictures.

How the drawing gets its gradients. A picture needs the graph's shape and the gradient at every
intermediate value, which an ordinary ``backward()`` neither keeps (it frees each node once
used) nor stores (only leaves get ``.grad``). Rather than make every backward keep them,
:func:`draw_graph` walks the graph while it still exists and runs one backward pass of its own,
``minigrad.grad(root, every tensor in the graph, retain_graph=True)``: that returns the gradient
of the root with respect to each of them and changes no ``.grad``. So draw first, then train::

    loss = loss_fn(model(x), y)
    draw_graph(loss)          # the graph is still there
    loss.backward()           # frees it, as usual

or call ``loss.backward(retain_graph=True)`` first. After a plain ``backward()`` the graph is
gone and draw_graph says so. Tensor hooks run during the drawing's pass too.

Modules. For one cluster per module and ``mode='layers'``, record the forward pass::

    with record(model) as recording:
        loss = loss_fn(model(x), y)
    draw_graph(loss, recording=recording, mode="layers")

which puts a forward hook on every module for the duration of the block.

What is drawn is measured by :mod:`minigrad.analysis`: its trace (the walk, and the gradients
along every edge), its stats (the four flagged states, unit states) and its record (module
calls; ``minigrad.viz.record`` is the same function).

Reading order: style.py (colours, borders, legend), canvas.py (module clusters), dot.py (the
'ops' picture), layers.py (the 'layers' picture), draw.py (draw_graph), render.py (files),
examples.py (the pictures of the docs and of ``minigrad draw``); then the step-through explorer,
``explore(loss, "loss.html")``: steps.py (the steps of the backward walk), explore.py (the page)
and explore_script.py (its script).
"""

from minigrad.analysis.record import Recording, record
from minigrad.viz.draw import draw_graph
from minigrad.viz.explore import ExplorerPage, explore
from minigrad.viz.render import GraphvizNotFound, render_graph

__all__ = ["draw_graph", "render_graph", "record", "Recording", "GraphvizNotFound", "explore", "ExplorerPage"]
