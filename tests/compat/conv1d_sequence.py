"""A 1-D CNN that tells noisy sine waves from noisy square waves: Conv1d, BatchNorm1d, MaxPool1d, Adam."""

import math

import tinygrad_np as torch
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim
from tinygrad_np.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
length = 64


def waves(n):
    labels = torch.randint(0, 2, (n,))
    frequency = 2 + 4 * torch.rand(n, 1)
    phase = 2 * math.pi * torch.rand(n, 1)
    t = torch.arange(length).float() / length
    sine = torch.sin(2 * math.pi * frequency * t + phase)
    square = torch.sign(sine)
    signal = torch.where(labels.view(-1, 1) == 1, square, sine)
    return TensorDataset((signal + 0.3 * torch.randn(n, length)).unsqueeze(1), labels)


class SequenceClassifier(nn.Module):
    def __init__(self, num_classes=2):
        super().__init__()
        self.conv1 = nn.Conv1d(in_channels=1, out_channels=8, kernel_size=5, padding=2)
        self.bn1 = nn.BatchNorm1d(8)
        self.pool = nn.MaxPool1d(kernel_size=2)
        self.conv2 = nn.Conv1d(8, 16, kernel_size=3, padding=1)
        self.fc = nn.Linear(16 * (length // 4), num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(x.size(0), -1)
        return self.fc(x)


train_loader = DataLoader(waves(600), batch_size=50, shuffle=True)
test_loader = DataLoader(waves(200), batch_size=100)
model = SequenceClassifier()
optimizer = optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.CrossEntropyLoss()


def evaluate():
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for x, y in test_loader:
            out = model(x)
            total += criterion(out, y).item() * y.size(0)
            correct += (out.argmax(dim=1) == y).sum().item()
    return total / len(test_loader.dataset), correct / len(test_loader.dataset)


first, _ = evaluate()
for epoch in range(5):
    model.train()
    for x, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
    final, accuracy = evaluate()
    print(f"epoch {epoch + 1}: test loss {final:.4f}, accuracy {accuracy:.3f}")

assert final < 0.5 * first and accuracy > 0.8
print(f"first loss {first:.4f}, final loss {final:.4f}, accuracy {accuracy:.3f}")
