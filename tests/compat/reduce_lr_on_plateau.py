"""A noisy 1-D regression whose learning rate ReduceLROnPlateau halves when the validation loss stalls."""

import tinygrad_np as torch
from tinygrad_np import nn, optim
from tinygrad_np.optim.lr_scheduler import ReduceLROnPlateau

torch.manual_seed(0)

x = torch.linspace(-2, 2, 400).unsqueeze(1)
y = torch.sin(2 * x) + 0.1 * torch.randn(400, 1)
perm = torch.randperm(400)
train_idx, val_idx = perm[:300], perm[300:]
x_train, y_train = x[train_idx], y[train_idx]
x_val, y_val = x[val_idx], y[val_idx]

model = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 1))
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = ReduceLROnPlateau(optimizer, mode='min', factor=0.5, patience=2)

batch_size = 30
for epoch in range(25):
    model.train()
    running_loss = 0.0
    order = torch.randperm(x_train.size(0))
    for i in range(0, x_train.size(0), batch_size):
        idx = order[i:i + batch_size]
        inputs, targets = x_train[idx], y_train[idx]
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * inputs.size(0)

    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(x_val), y_val).item()
    if epoch == 0:
        first = val_loss
    scheduler.step(val_loss)
    print(f"epoch {epoch:2d}  train {running_loss / x_train.size(0):.4f}  val {val_loss:.4f}  "
          f"lr {optimizer.param_groups[0]['lr']:.4g}")

final = val_loss
assert final < 0.5 * first and optimizer.param_groups[0]['lr'] < 0.1
print(f"first loss {first:.4f}, final loss {final:.4f}, final lr {optimizer.param_groups[0]['lr']:.4g}")
