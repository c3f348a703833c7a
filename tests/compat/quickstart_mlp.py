"""PyTorch's quickstart tutorial, on synthetic 8x8 images: a Sequential MLP, train() and test() loops."""

import tinygrad_np as torch
from tinygrad_np import nn
from tinygrad_np.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

# Four classes, each a bright quadrant of an 8x8 image, under noise.
templates = torch.zeros(4, 1, 8, 8)
templates[0, :, :4, :4] = 1.0
templates[1, :, :4, 4:] = 1.0
templates[2, :, 4:, :4] = 1.0
templates[3, :, 4:, 4:] = 1.0


def make_data(n):
    y = torch.randint(0, 4, (n,))
    X = templates[y] + 0.8 * torch.randn(n, 1, 8, 8)
    return TensorDataset(X, y)


training_data = make_data(1024)
test_data = make_data(256)

batch_size = 64

train_dataloader = DataLoader(training_data, batch_size=batch_size, shuffle=True)
test_dataloader = DataLoader(test_data, batch_size=batch_size)

for X, y in test_dataloader:
    print(f"Shape of X [N, C, H, W]: {X.shape}")
    print(f"Shape of y: {y.shape} {y.dtype}")
    break

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(8 * 8, 64),
            nn.ReLU(),
            nn.Linear(64, 64),
            nn.ReLU(),
            nn.Linear(64, 4),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
print(model)

loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)


def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)

        pred = model(X)
        loss = loss_fn(pred, y)

        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        if batch % 8 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return test_loss, correct


first, _ = test(test_dataloader, model, loss_fn)
epochs = 5
for t in range(epochs):
    print(f"Epoch {t+1}\n-------------------------------")
    train(train_dataloader, model, loss_fn, optimizer)
    final, accuracy = test(test_dataloader, model, loss_fn)
print("Done!")

assert final < 0.5 * first and accuracy > 0.8
print(f"first loss {first:.4f}, final loss {final:.4f}, accuracy {accuracy:.3f}")
