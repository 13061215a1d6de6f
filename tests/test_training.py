"""End to end: small models reach their mark on held-out data with a fixed seed, and the same
seed gives a bit-identical run. (How long each takes is reported by ``pytest --durations``, not
asserted: this machine is shared.)"""

import numpy as np

import minigrad.functional as F
import minigrad.nn as nn
from minigrad import Tensor, no_grad, optim
from minigrad.data import DataLoader, make_circles, make_moons, make_regression, make_spirals, make_xor


def predict(model, X):
    model.eval()
    with no_grad():
        out = model(Tensor(X)).numpy()
    model.train()
    return out


def test_xor_reaches_100_percent():
    X, y = make_xor(200, noise=0.1, rng=0)
    model = nn.MLP([2, 8, 1], activation="tanh", rng=0)
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    for _ in range(150):
        opt.zero_grad()
        F.binary_cross_entropy_with_logits(model(Tensor(X)), y[:, None].astype(float)).backward()
        opt.step()
    X_test, y_test = make_xor(400, noise=0.1, rng=1)
    assert np.all((predict(model, X_test)[:, 0] > 0) == y_test)
    truth_table, labels = make_xor()
    assert np.all((predict(model, truth_table)[:, 0] > 0) == labels)


def test_two_moons_with_hinge_loss_reach_98_percent():
    X, y = make_moons(200, noise=0.1, rng=0)
    model = nn.MLP([2, 16, 16, 1], rng=0)
    opt = optim.Adam(model.parameters(), lr=0.02)
    for _ in range(200):
        opt.zero_grad()
        F.hinge_loss(model(Tensor(X))[:, 0], 2.0 * y - 1).backward()  # labels in {-1, +1}
        opt.step()
    X_test, y_test = make_moons(1000, noise=0.1, rng=1)
    assert np.mean((predict(model, X_test)[:, 0] > 0) == y_test) >= 0.98


def test_three_spirals_with_minibatches_reach_95_percent():
    X, y = make_spirals(300, n_classes=3, noise=0.2, rng=0)
    model = nn.MLP([2, 64, 64, 3], rng=0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    loader = DataLoader(X, y, batch_size=100, rng=0)
    for _ in range(150):
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
    X_test, y_test = make_spirals(1500, n_classes=3, noise=0.2, rng=1)
    assert np.mean(predict(model, X_test).argmax(1) == y_test) >= 0.95


def test_deep_narrow_residual_stack_with_norm_fits_circles():
    X, y = make_circles(200, noise=0.05, rng=0)
    model = nn.MLP([2] + [8] * 12 + [2], activation="silu", residual=True, norm="layer", init="kaiming_normal", rng=0)
    opt = optim.AdamW(model.parameters(), lr=0.01)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=100)
    for _ in range(100):
        opt.zero_grad()
        F.cross_entropy(model(Tensor(X)), y).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        scheduler.step()
    X_test, y_test = make_circles(500, noise=0.05, rng=1)
    assert np.mean(predict(model, X_test).argmax(1) == y_test) >= 0.98


def test_regression_curve_is_fit():
    X, y = make_regression(200, noise=0.05, rng=0)
    model = nn.MLP([1, 32, 32, 1], activation="tanh", rng=0)
    opt = optim.Adam(model.parameters(), lr=0.01)
    for _ in range(300):
        opt.zero_grad()
        F.mse_loss(model(Tensor(X)), y).backward()
        opt.step()
    X_test, y_test = make_regression(500, noise=0.0, rng=1)
    assert np.mean((predict(model, X_test) - y_test) ** 2) < 0.01


def train_with_every_source_of_randomness(seed):
    X, y = make_moons(120, noise=0.2, rng=seed)
    rng = np.random.default_rng(seed)
    model = nn.Sequential(
        nn.Linear(2, 16, rng=rng), nn.ReLU(), nn.Dropout(0.2, rng=rng), nn.BatchNorm1d(16), nn.Linear(16, 2, rng=rng)
    )
    opt = optim.Adam(model.parameters(), lr=0.01)
    for _ in range(3):
        for xb, yb in DataLoader(X, y, batch_size=32, rng=rng):
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
    return model.state_dict()


def test_same_seed_gives_bit_identical_weights_after_training():
    first, second, other = (train_with_every_source_of_randomness(seed) for seed in (3, 3, 4))
    assert all(np.array_equal(first[name], second[name]) for name in first)
    assert not np.array_equal(first["0.weight"], other["0.weight"])
