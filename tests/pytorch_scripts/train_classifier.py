"""A typical PyTorch training script, unchanged: tests/test_pytorch_port.py runs it with torch and,
with `torch` renamed to `minigrad`, with minigrad, and compares what it prints."""

import sys

import numpy as np
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


torch.manual_seed(0)
data, path = np.load(sys.argv[1]), sys.argv[2]
X = torch.tensor(data["X"], dtype=torch.float32)
y = torch.tensor(data["y"]).long()
model = Net(4, 16, 3)
model.load_state_dict({name: torch.tensor(data[name], dtype=torch.float32) for name in model.state_dict()})
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

model.train()
for _ in range(100):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()

model.eval()
with torch.no_grad():
    accuracy = (model(X).argmax(dim=1) == y).float().mean().item()
torch.save(model.state_dict(), path)
restored = Net(4, 16, 3)
restored.load_state_dict(torch.load(path))
with torch.no_grad():
    same = torch.allclose(restored(X), model(X))
print(f"{loss.item():.9f} {accuracy:.4f} {same}")
