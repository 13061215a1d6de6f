"""The reverse walk as a textbook writes it: the reference the engine's walk is tested against.

No speed, no memory and no API machinery: a depth-first topological order, then the chain rule
from the roots back, each op's rule called once its output's gradient is complete.
"""

from minigrad.autograd import call_backward, set_grad_enabled


def reference_gradients(roots, root_grads, create_graph=False):
    """{tensor: d roots / d tensor} for every tensor that leads to ``roots`` and needs a gradient."""
    order, visited = [], set()

    def visit(tensor):  # every input first, then the tensor: a topological order
        if tensor in visited or not tensor.requires_grad:
            return
        visited.add(tensor)
        for x in tensor.grad_fn.inputs if tensor.grad_fn else ():
            visit(x)
        order.append(tensor)

    grads = {}
    for root, root_grad in zip(roots, root_grads):
        visit(root)
        grads[root] = grads[root] + root_grad if root in grads else root_grad
    with set_grad_enabled(create_graph):
        for tensor in reversed(order):  # outputs before inputs: each gradient is complete when used
            if tensor not in grads:
                continue
            for hook in tensor._hooks or ():  # a hook may replace the gradient
                replaced = hook(grads[tensor])
                grads[tensor] = grads[tensor] if replaced is None else replaced
            if tensor.grad_fn is not None:
                local = call_backward(tensor.grad_fn, tensor, grads[tensor])  # the op's chain rule
                for x, grad_x in zip(tensor.grad_fn.inputs, local):
                    if grad_x is not None and x.requires_grad:  # summed over every path to x
                        grads[x] = grads[x] + grad_x if x in grads else grad_x
    return grads
