"""micrograd's demo (two moons, a 2-16-16-1 ReLU network, the max-margin loss with L2
regularisation, full-batch SGD with a decaying rate) written at tensor level for PyTorch.
tests/test_pytorch_port_tutorials.py runs it with torch and, with `torch` renamed to `minigrad`,
with minigrad, and compares what it prints.

Usage: moons.py DATA (the points, their labels -1 or 1, and the starting weights).
"""

import sys

import numpy as np
import torch

data = np.load(sys.argv[1])
X = torch.tensor(data["X"])
y = torch.tensor(data["y"])
params = [torch.tensor(data[name], requires_grad=True) for name in ["W1", "b1", "W2", "b2", "W3", "b3"]]
W1, b1, W2, b2, W3, b3 = params
print("number of parameters", sum(p.numel() for p in params))


def model(X):
    h = (X @ W1 + b1).relu()
    h = (h @ W2 + b2).relu()
    return (h @ W3 + b3).view(-1)


def loss():
    scores = model(X)
    losses = (1 + -y * scores).relu()  # svm "max-margin" loss
    data_loss = losses.mean()
    alpha = 1e-4  # L2 regularization
    reg_loss = alpha * sum((p * p).sum() for p in params)
    total_loss = data_loss + reg_loss
    accuracy = ((scores > 0) == (y > 0)).float().mean()
    return total_loss, accuracy


for k in range(100):
    total_loss, acc = loss()
    for p in params:
        p.grad = None
    total_loss.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    for p in params:
        p.data -= learning_rate * p.grad
    if k % 10 == 0:
        print(f"step {k} loss {total_loss.item():.10f}, accuracy {acc.item() * 100}%")

# the decision boundary on a grid
xs = torch.linspace(-2.0, 3.0, 11).tolist()
grid = torch.tensor([[a, b] for a in xs for b in xs], dtype=torch.float64)
with torch.no_grad():
    Z = model(grid) > 0
print(Z.sum().item(), Z.view(11, 11)[5].long().tolist())
