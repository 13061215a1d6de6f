"""The standard remedies :func:`~minigrad.diagnostics.diagnose` names for each kind of finding.

``REMEDIES`` are for a feed-forward net; ``RECURRENT_REMEDIES`` for a model that holds a recurrent
layer or cell, whose gradient fades or grows through time as through depth. For a gated layer
(LSTM, GRU) whose gradient vanishes through time, the gate biases come first and gated cells are
not proposed: it is one.
"""

GATED_CELLS = (
    "gated cells (nn.LSTM, nn.GRU or their cells), whose additive state update carries the gradient across steps"
)
GATE_BIASES = (
    "gate biases that keep the state from the start: an LSTM's forget-gate bias of 1 or more, "
    "a GRU's update-gate bias above 0"
)
IDENTITY_RELU_RNN = "a ReLU RNN with identity initialisation of weight_hh (Le, Jaitly and Hinton 2015)"

REMEDIES = {
    "vanishing": [
        "ReLU-family activations (ReLU, leaky ReLU, PReLU, ELU, GELU) instead of sigmoid or tanh",
        "He initialisation for the ReLU family, Xavier for sigmoid and tanh",
        "residual connections",
        "normalisation (LayerNorm, BatchNorm)",
    ],
    "dead": [
        "leaky ReLU, PReLU, ELU or GELU, which keep a gradient for negative inputs",
        "a smaller learning rate",
        "He initialisation with zero biases",
    ],
    "saturated": ["Xavier initialisation", "normalisation before the activation", "ReLU-family activations"],
    "nonfinite": [
        "a smaller learning rate",
        "gradient clipping (nn.utils.clip_grad_norm_)",
        "inputs and loss free of inf and NaN",
    ],
}
RECURRENT_REMEDIES = {
    **REMEDIES,
    "vanishing": [GATED_CELLS, GATE_BIASES, IDENTITY_RELU_RNN],
    "exploding": [
        "gradient clipping (nn.utils.clip_grad_norm_)",
        "recurrent weights weight_hh of spectral radius at most 1 (e.g. nn.init.orthogonal_)",
        "a smaller learning rate",
    ],
    "saturated": [
        "an LSTM forget-gate bias of 1 and the other gate biases near 0: a gate stuck near 0 or 1 passes almost no gradient",
        "inputs of about unit size, so that the gates' pre-activations stay where the sigmoid has a slope",
        "gradient clipping and a smaller learning rate, if training drove the gates there",
    ],
}
