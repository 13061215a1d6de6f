"""The ops, one Function subclass each, grouped by kind: arithmetic, elementwise math,
reductions, shape, the activations, softmax with the negative log-likelihood, and the squared
error of a regression."""
