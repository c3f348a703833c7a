"""Fit y = sin(x) with a 1-16-1 tanh network: plain Tensors, autograd and a manual SGD step.

Run from the repo root after installing (see README.md):  python examples/quickstart.py
"""

import tinygrad_np as tg

tg.manual_seed(0)

# 64 points on [-3, 3] as a column (64, 1), and their targets.
x = tg.linspace(-3, 3, 64).reshape(-1, 1)
y = x.sin()

# Parameters are leaf tensors that require grad: autograd fills their .grad.
w1 = tg.randn(1, 16, requires_grad=True)
b1 = tg.zeros(16, requires_grad=True)
w2 = tg.randn(16, 1, requires_grad=True)
b2 = tg.zeros(1, requires_grad=True)
params = [w1, b1, w2, b2]


def model(x):
    hidden = (x @ w1 + b1).tanh()  # (64, 16); b1 broadcasts over the rows
    return hidden @ w2 + b2  # (64, 1)


lr = 0.05
first_loss = None
for step in range(2001):
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()  # fills p.grad for every parameter
    with tg.no_grad():  # the update itself must not be recorded
        for p in params:
            # Update the parameter's array in place; p.grad is only read.
            p.data -= lr * p.grad.data
            p.grad = None  # gradients accumulate, so clear them before the next step
    if first_loss is None:
        first_loss = loss.item()
    if step % 250 == 0:
        print(f"step {step:4d}  loss {loss.item():.5f}")

print(f"final loss {loss.item():.5f} (from {first_loss:.5f})")
