"""The ops, one Function subclass each, grouped by kind: arithmetic, elementwise math,
reductions, shape, and the activations."""
