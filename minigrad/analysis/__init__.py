"""Analysis: measuring a graph and its gradients, apart from drawing them."""
