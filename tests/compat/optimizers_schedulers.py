"""One small classifier trained three ways: Adagrad with StepLR, Adadelta with CosineAnnealingWarmRestarts
stepped every batch, SGD with a LinearLR warm-up followed by ExponentialLR (SequentialLR)."""

import copy

import tinygrad_np as torch
from tinygrad_np import nn, optim
from tinygrad_np.optim import lr_scheduler
from tinygrad_np.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.randn(640, 10)
true_w = torch.randn(10, 3)
y = (X @ true_w + 0.3 * torch.randn(640, 3)).argmax(dim=1)
loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)
iters = len(loader)

base = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
criterion = nn.CrossEntropyLoss()


def full_loss(model):
    with torch.no_grad():
        return criterion(model(X), y).item()


def fit(name, make_optimizer, make_scheduler, per_batch=False, epochs=8):
    model = copy.deepcopy(base)
    optimizer = make_optimizer(model.parameters())
    scheduler = make_scheduler(optimizer)
    first = full_loss(model)
    lrs = []
    for epoch in range(epochs):
        for i, (inputs, targets) in enumerate(loader):
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            if per_batch:
                scheduler.step(epoch + i / iters)
        if not per_batch:
            scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    final = full_loss(model)
    print(f"{name}: loss {first:.4f} -> {final:.4f}, learning rates {[round(lr, 4) for lr in lrs]}")
    assert final < 0.5 * first
    return first, final


results = [
    fit("Adagrad + StepLR",
        lambda params: optim.Adagrad(params, lr=0.1),
        lambda opt: lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)),
    fit("Adadelta + CosineAnnealingWarmRestarts",
        lambda params: optim.Adadelta(params, lr=1.0),
        lambda opt: lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2, eta_min=0.01),
        per_batch=True),
    fit("SGD + LinearLR then ExponentialLR",
        lambda params: optim.SGD(params, lr=0.2, momentum=0.9),
        lambda opt: lr_scheduler.SequentialLR(
            opt,
            schedulers=[lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=3),
                        lr_scheduler.ExponentialLR(opt, gamma=0.8)],
            milestones=[3])),
]
first = max(first for first, _ in results)
final = max(final for _, final in results)
print(f"first loss {first:.4f}, final loss {final:.4f}")
