"""Sampler-driven loading: random_split, WeightedRandomSampler for imbalanced classes, SubsetRandomSampler,
and a BatchSampler over a SequentialSampler for evaluation."""

import tinygrad_np as torch
from tinygrad_np import nn, optim
from tinygrad_np.utils.data import (
    BatchSampler,
    DataLoader,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    random_split,
)

torch.manual_seed(0)

# Three classes in 2-D, imbalanced 8:1:1.
n = 1000
labels = torch.cat([torch.zeros(800), torch.ones(100), 2 * torch.ones(100)]).long()
centres = torch.tensor([[0.0, 0.0], [2.5, 0.0], [0.0, 2.5]])
points = centres[labels] + 0.7 * torch.randn(n, 2)
dataset = TensorDataset(points, labels)

train_set, val_set = random_split(dataset, [800, 200])
print(len(train_set), len(val_set))

# Sample each training example with weight 1 / (its class's count), so batches are balanced.
train_labels = torch.stack([train_set[i][1] for i in range(len(train_set))])
class_count = torch.bincount(train_labels)
weights = 1.0 / class_count.float()
sample_weights = weights[train_labels]
sampler = WeightedRandomSampler(sample_weights, num_samples=len(sample_weights), replacement=True)
train_loader = DataLoader(train_set, batch_size=32, sampler=sampler, num_workers=0, pin_memory=False)

# A second loader seeing only half the training set, in random order.
half = SubsetRandomSampler(list(range(0, len(train_set), 2)))
half_loader = DataLoader(train_set, batch_size=32, sampler=half)

val_loader = DataLoader(val_set, batch_sampler=BatchSampler(SequentialSampler(val_set), batch_size=50, drop_last=False))

model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)


def evaluate():
    model.eval()
    total, per_class_correct, per_class_seen = 0.0, torch.zeros(3), torch.zeros(3)
    with torch.no_grad():
        for inputs, targets in val_loader:
            outputs = model(inputs)
            total += criterion(outputs, targets).item() * len(targets)
            hits = (outputs.argmax(dim=1) == targets).float()
            for k in range(3):
                per_class_correct[k] += hits[targets == k].sum()
                per_class_seen[k] += (targets == k).sum()
    balanced = (per_class_correct / per_class_seen).mean().item()
    return total / len(val_set), balanced


first, _ = evaluate()
seen = torch.zeros(3)
for epoch in range(4):
    model.train()
    for loader in (train_loader, half_loader):
        for inputs, targets in loader:
            if loader is train_loader:
                seen += torch.bincount(targets, minlength=3)
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
    final, balanced_accuracy = evaluate()
    print(f"epoch {epoch}: val loss {final:.4f}, balanced accuracy {balanced_accuracy:.3f}")

print("classes drawn by the weighted sampler:", seen.tolist())
assert seen.min() > 0.2 * seen.sum()
assert final < 0.5 * first and balanced_accuracy > 0.8
print(f"first loss {first:.4f}, final loss {final:.4f}, balanced accuracy {balanced_accuracy:.3f}")
