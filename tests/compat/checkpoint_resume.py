"""The "saving and loading a general checkpoint" recipe: train, torch.save a dict of state dicts, load it into a
fresh model and optimizer, resume, and check that the resumed run continues where the first one stopped."""

import tinygrad_np as torch
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(6, 32)
        self.bn = nn.BatchNorm1d(32)
        self.fc2 = nn.Linear(32, 1)

    def forward(self, x):
        return self.fc2(F.relu(self.bn(self.fc1(x))))


torch.manual_seed(0)
X = torch.randn(512, 6)
y = (X[:, :3].sum(dim=1, keepdim=True) - X[:, 3:].prod(dim=1, keepdim=True)).tanh()


def run_epoch(model, optimizer):
    model.train()
    for i in range(0, 512, 64):
        optimizer.zero_grad()
        loss = F.mse_loss(model(X[i:i + 64]), y[i:i + 64])
        loss.backward()
        optimizer.step()


def evaluate(model):
    model.eval()
    with torch.no_grad():
        return F.mse_loss(model(X), y).item()


net = Net()
optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
first = evaluate(net)
for epoch in range(4):
    run_epoch(net, optimizer)
PATH = "model.pt"
torch.save({
    'epoch': epoch,
    'model_state_dict': net.state_dict(),
    'optimizer_state_dict': optimizer.state_dict(),
    'loss': evaluate(net),
}, PATH)
run_epoch(net, optimizer)
expected = evaluate(net)

model = Net()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
checkpoint = torch.load(PATH, weights_only=True)
model.load_state_dict(checkpoint['model_state_dict'])
optimizer.load_state_dict(checkpoint['optimizer_state_dict'])
epoch = checkpoint['epoch']
print(f"resuming after epoch {epoch} at loss {checkpoint['loss']:.4f}")
assert abs(evaluate(model) - checkpoint['loss']) < 1e-6
run_epoch(model, optimizer)
resumed = evaluate(model)
print(f"one more epoch: {expected:.6f} uninterrupted, {resumed:.6f} resumed")
assert abs(resumed - expected) < 1e-5
start_epoch = epoch + 2
for epoch in range(start_epoch, 10):
    run_epoch(model, optimizer)
final = evaluate(model)

assert final < 0.5 * first
print(f"first loss {first:.4f}, final loss {final:.4f}")
