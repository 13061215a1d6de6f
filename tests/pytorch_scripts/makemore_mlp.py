"""A character-level MLP language model in the style of the makemore lectures, written for
PyTorch: an embedding table C indexed by a batch of integer contexts, a batch norm written by
hand, tanh, manual SGD on p.data, the saturation and update-to-data diagnostics, and sampling
with multinomial and a Generator. tests/test_pytorch_port_tutorials.py runs it with torch and,
with `torch` renamed to `minigrad`, with minigrad, and compares what it prints.

Usage: makemore_mlp.py NAMES WEIGHTS (the starting weights and the minibatches, the same for both).
"""

import sys

import numpy as np
import torch
import torch.nn.functional as F

words = open(sys.argv[1]).read().split()
weights = np.load(sys.argv[2])
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(itos)
block_size = 3


def build_dataset(words):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


n1 = int(0.9 * len(words))
Xtr, Ytr = build_dataset(words[:n1])
Xdev, Ydev = build_dataset(words[n1:])

n_embd, n_hidden = 10, 64
g = torch.Generator().manual_seed(2147483647)
C = torch.randn((vocab_size, n_embd), generator=g, dtype=torch.float64)
W1 = torch.randn((n_embd * block_size, n_hidden), generator=g, dtype=torch.float64)
W2 = torch.randn((n_hidden, vocab_size), generator=g, dtype=torch.float64)
b2 = torch.randn(vocab_size, generator=g, dtype=torch.float64)
bngain = torch.ones((1, n_hidden), dtype=torch.float64)
bnbias = torch.zeros((1, n_hidden), dtype=torch.float64)
bnmean_running = torch.zeros((1, n_hidden), dtype=torch.float64)
bnstd_running = torch.ones((1, n_hidden), dtype=torch.float64)
parameters = [C, W1, W2, b2, bngain, bnbias]
# the same starting weights under both libraries: the drawn ones replaced, in place, by the file's
with torch.no_grad():
    for name, p in zip(["C", "W1", "W2", "b2"], parameters):
        p.copy_(torch.tensor(weights[name]).view(p.size()))
    W1 *= (5 / 3) / (n_embd * block_size) ** 0.5
    W2 *= 0.1
    b2 *= 0
print(sum(p.nelement() for p in parameters))
for p in parameters:
    p.requires_grad = True

batches = torch.tensor(weights["batches"])
ud, saturated = [], []
for i in range(batches.shape[0]):
    ix = batches[i]
    Xb, Yb = Xtr[ix], Ytr[ix]
    emb = C[Xb]
    embcat = emb.view(emb.shape[0], -1)
    hpreact = embcat @ W1
    bnmeani = hpreact.mean(0, keepdim=True)
    bnstdi = hpreact.std(0, keepdim=True)
    hpreact = bngain * (hpreact - bnmeani) / bnstdi + bnbias
    with torch.no_grad():
        bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani
        bnstd_running = 0.999 * bnstd_running + 0.001 * bnstdi
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2
    loss = F.cross_entropy(logits, Yb)
    h.retain_grad()
    for p in parameters:
        p.grad = None
    loss.backward()
    lr = 0.1 if i < 30 else 0.01
    for p in parameters:
        p.data += -lr * p.grad
    with torch.no_grad():
        saturated.append((h.abs() > 0.97).float().mean().item())
        ud.append([((lr * p.grad).std() / p.data.std()).log10().item() for p in parameters])


@torch.no_grad()
def split_loss(X, Y):
    emb = C[X]
    hpreact = emb.view(emb.shape[0], -1) @ W1
    hpreact = bngain * (hpreact - bnmean_running) / bnstd_running + bnbias
    logits = torch.tanh(hpreact) @ W2 + b2
    return F.cross_entropy(logits, Y).item()


# the dev loss by hand: softmax, then the log-probability of each right answer, picked by index
with torch.no_grad():
    emb = C[Xdev]
    hpreact = bngain * (emb.view(-1, n_embd * block_size) @ W1 - bnmean_running) / bnstd_running + bnbias
    probs = F.softmax(torch.tanh(hpreact) @ W2 + b2, dim=1)
    by_hand = -probs[torch.arange(Ydev.shape[0]), Ydev].log().mean().item()
    onehot = F.one_hot(Ydev, num_classes=vocab_size).float()
    by_one_hot = -(onehot * probs.log()).sum(1).mean().item()

print(f"{split_loss(Xtr, Ytr):.10f} {split_loss(Xdev, Ydev):.10f} {by_hand:.10f} {by_one_hot:.10f}")
print(f"{loss.item():.10f} {h.grad.abs().mean().item():.10e}")
print(" ".join(f"{s:.6f}" for s in saturated[::10]))
print(" ".join(f"{r:.6f}" for r in ud[-1]))
print(" ".join(f"{x:.8f}" for x in bnstd_running.view(-1).tolist()[:5]))
print(" ".join(f"{x:.6f}" for x in torch.linspace(-1, 1, 5).tolist()))

# sampling: these names depend on the generator's numbers, so only their form is compared
g = torch.Generator().manual_seed(2147483647 + 10)
samples = []
for _ in range(5):
    out, context = [], [0] * block_size
    while True:
        emb = C[torch.tensor([context])]
        hpreact = bngain * (emb.view(1, -1) @ W1 - bnmean_running) / bnstd_running + bnbias
        probs = F.softmax(torch.tanh(hpreact) @ W2 + b2, dim=1)
        ix = torch.multinomial(probs, num_samples=1, generator=g).item()
        context = context[1:] + [ix]
        if ix == 0 or len(out) == 20:
            break
        out.append(itos[ix])
    samples.append("".join(out))
random_batch = torch.randint(0, Xtr.shape[0], (32,), generator=g)
print(
    "samples:", all(set(s) <= set(chars) for s in samples), Xtr[random_batch].shape[0], C[Xtr[random_batch]].shape[-1]
)
