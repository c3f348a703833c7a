"""A Fashion-MNIST classifier on real data, torchvision-style: datasets.FashionMNIST with a Compose of
ToTensor and Normalize, a random Subset of each split so that it runs in seconds."""

import tinygrad_np as torch
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim
from tinygrad_np.data import datasets, transforms
from tinygrad_np.utils.data import DataLoader, Subset

torch.manual_seed(0)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

transform = transforms.Compose([
    transforms.ToTensor(),
    transforms.Normalize((0.2860,), (0.3530,)),
])
train_full = datasets.FashionMNIST("data", train=True, download=True, transform=transform)
test_full = datasets.FashionMNIST("data", train=False, download=True, transform=transform)
train_set = Subset(train_full, torch.randperm(len(train_full))[:3000].tolist())
test_set = Subset(test_full, torch.randperm(len(test_full))[:1000].tolist())
print(f"{len(train_set)} of {len(train_full)} training images, {len(test_set)} of {len(test_full)} test images")

train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
test_loader = DataLoader(test_set, batch_size=500)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(28 * 28, 128)
        self.dropout = nn.Dropout(0.2)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = self.dropout(F.relu(self.fc1(x)))
        return self.fc2(x)


def evaluate(model):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for images, labels in test_loader:
            images, labels = images.to(device), labels.to(device)
            output = model(images)
            loss += F.cross_entropy(output, labels, reduction="sum").item()
            correct += (output.argmax(1) == labels).sum().item()
    return loss / len(test_set), correct / len(test_set)


model = Net().to(device)
optimizer = optim.Adam(model.parameters(), lr=1e-3)
first, _ = evaluate(model)
for epoch in range(1, 4):
    model.train()
    for images, labels in train_loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
    final, accuracy = evaluate(model)
    print(f"epoch {epoch}: test loss {final:.4f}, accuracy {accuracy:.3f}")

assert final < 0.5 * first and accuracy > 0.7
print(f"first loss {first:.4f}, final loss {final:.4f}, accuracy {accuracy:.3f}")
