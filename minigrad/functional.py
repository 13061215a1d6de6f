"""Public functions, PyTorch's ``torch.nn.functional`` style: ``F.relu(x)``, ``F.softmax(x)``.

Each is the same op as the Tensor method of the same name.
"""

from minigrad.tensor import Tensor

# --- math, reductions and shape ---------------------------------------------------------------

# --- activations -------------------------------------------------------------------------------
