"""A small tanh network fitted to a curve by L-BFGS with the strong-Wolfe line search, driven by a closure."""

import tinygrad_np as torch
from tinygrad_np import nn, optim

torch.manual_seed(0)
x = torch.linspace(-3, 3, 200).view(-1, 1)
y = torch.sin(x) * torch.exp(-0.1 * x ** 2)

model = nn.Sequential(nn.Linear(1, 20), nn.Tanh(), nn.Linear(20, 1))
criterion = nn.MSELoss()
optimizer = optim.LBFGS(model.parameters(), lr=1, max_iter=20, history_size=10, line_search_fn="strong_wolfe")

for i in range(8):
    print('STEP: ', i)

    def closure():
        optimizer.zero_grad()
        out = model(x)
        loss = criterion(out, y)
        print('loss:', loss.item())
        loss.backward()
        return loss

    loss = optimizer.step(closure)
    if i == 0:
        first = loss.item()

with torch.no_grad():
    final = criterion(model(x), y).item()
assert final < 0.01 * first
print(f"first loss {first:.4f}, final loss {final:.6f}")
