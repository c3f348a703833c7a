"""pytorch/examples' MNIST CNN, shrunk: Conv2d, BatchNorm2d, Dropout2d, AdaptiveAvgPool2d, Adadelta with StepLR.

The task: 12x12 images of horizontal or vertical stripes, at a random phase, under noise.
"""

import tinygrad_np as torch
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim
from tinygrad_np.optim.lr_scheduler import StepLR
from tinygrad_np.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, 1, padding=1)
        self.dropout1 = nn.Dropout2d(0.1)
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(16, 2)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(self.bn1(x))
        x = F.max_pool2d(x, 2)
        x = self.conv2(x)
        x = F.relu(x)
        x = self.dropout1(x)
        x = self.pool(x)
        x = torch.flatten(x, 1)
        x = self.fc(x)
        output = F.log_softmax(x, dim=1)
        return output


def make_images(n):
    labels = torch.randint(0, 2, (n,))
    stripes = ((torch.arange(12) + torch.randint(0, 4, (n, 1))) % 4 < 2).float()
    horizontal = stripes[:, :, None].expand(n, 12, 12)
    vertical = stripes[:, None, :].expand(n, 12, 12)
    images = torch.where(labels[:, None, None] == 0, horizontal, vertical)
    images = images + 0.5 * torch.randn(n, 12, 12)
    return TensorDataset(images.unsqueeze(1), labels)


def train(model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % 4 == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.inference_mode():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)
    accuracy = correct / len(test_loader.dataset)
    print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
        test_loss, correct, len(test_loader.dataset), 100. * accuracy))
    return test_loss, accuracy


torch.manual_seed(1)
device = torch.device("cpu")
train_loader = DataLoader(make_images(512), batch_size=32, shuffle=True)
test_loader = DataLoader(make_images(256), batch_size=128)

model = Net().to(device)
optimizer = optim.Adadelta(model.parameters(), lr=1.0)
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
first, _ = test(model, device, test_loader)
for epoch in range(1, 4):
    train(model, device, train_loader, optimizer, epoch)
    final, accuracy = test(model, device, test_loader)
    scheduler.step()

assert final < 0.5 * first and accuracy > 0.8
print(f"first loss {first:.4f}, final loss {final:.4f}, accuracy {accuracy:.3f}")
