"""PyTorch's beginner quickstart, in its shape: an nn.Module holding an nn.Sequential, a
TensorDataset and DataLoaders, train() and test() loops over minibatches, save and load.
tests/test_pytorch_port_tutorials.py runs it with torch and, with `torch` renamed to `minigrad`,
with minigrad, and compares what it prints.

Usage: quickstart.py DATA (the points, their classes and the starting weights).
"""

import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

data = np.load(sys.argv[1])
X = torch.tensor(data["X"], dtype=torch.float32)
y = torch.tensor(data["y"])
training_data = TensorDataset(X[:160], y[:160])
test_data = TensorDataset(X[160:], y[160:])

batch_size = 16
train_dataloader = DataLoader(training_data, batch_size=batch_size)
test_dataloader = DataLoader(test_data, batch_size=batch_size)
for X, y in test_dataloader:
    print(f"Shape of X [N, F]: {list(X.shape)}")
    print(f"Shape of y: {list(y.shape)} {y.dtype == torch.int64}")
    break
device = "cpu"


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(8, 32),
            nn.ReLU(),
            nn.Linear(32, 32),
            nn.ReLU(),
            nn.Linear(32, 3),
        )

    def forward(self, x):
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork()
model.load_state_dict({name: torch.tensor(data[name], dtype=torch.float32) for name in model.state_dict()})
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)


def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 5 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f}")


epochs = 5
for t in range(epochs):
    print(f"Epoch {t + 1}")
    train(train_dataloader, model, loss_fn, optimizer)
    test(test_dataloader, model, loss_fn)
print("Done!")

torch.save(model.state_dict(), sys.argv[1] + ".model.pth")
model = NeuralNetwork()
model.load_state_dict(torch.load(sys.argv[1] + ".model.pth"))
model.eval()
with torch.no_grad():
    pred = model(test_data[0][0].view(1, -1))
    print(f'Predicted: "{pred[0].argmax(0).item()}", Actual: "{test_data[0][1].item()}"')

# a shuffled pass draws its own order (not PyTorch's numbers): only what it covers is printed
shuffled = DataLoader(
    training_data, batch_size=batch_size, shuffle=True, drop_last=True, generator=torch.Generator().manual_seed(0)
)
print(len(shuffled), sum(len(yb) for _, yb in shuffled))
