""""What is torch.nn really?": logistic regression from scratch, weights updated by hand under no_grad.

The data come from NumPy, as the tutorial's come from a pickle, and become tensors with torch.tensor.
"""

import math

import numpy as np

import tinygrad_np as torch

rng = np.random.default_rng(0)
centres = rng.random((10, 784)).astype(np.float32)
y_train = rng.integers(0, 10, 2000)
y_valid = rng.integers(0, 10, 500)
x_train = (centres[y_train] + rng.normal(0, 1, (2000, 784))).astype(np.float32)
x_valid = (centres[y_valid] + rng.normal(0, 1, (500, 784))).astype(np.float32)

x_train, y_train, x_valid, y_valid = map(
    torch.tensor, (x_train, y_train, x_valid, y_valid)
)
n, c = x_train.shape
print(x_train, y_train)
print(x_train.shape)
print(y_train.min(), y_train.max())

torch.manual_seed(0)
weights = torch.randn(784, 10) / math.sqrt(784)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


loss_func = nll


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


bs = 64
xb = x_train[0:bs]
yb = y_train[0:bs]
preds = model(xb)
print(preds[0], preds.shape)
first = loss_func(preds, yb).item()
print(first, accuracy(preds, yb))

lr = 0.5
epochs = 2

for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()

with torch.no_grad():
    final = loss_func(model(x_valid), y_valid).item()
    valid_accuracy = accuracy(model(x_valid), y_valid).item()
print(loss_func(model(xb), yb), accuracy(model(xb), yb))

assert final < 0.5 * first and valid_accuracy > 0.5
print(f"first loss {first:.4f}, final loss {final:.4f}, accuracy {valid_accuracy:.3f}")
