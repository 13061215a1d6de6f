"""The ops, one Function subclass each, grouped by kind: arithmetic, elementwise math,
reductions, shape, the activations, softmax, and the losses; numerics.py holds what they share."""
