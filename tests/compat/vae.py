"""pytorch/examples' VAE, on 8x8 binary pictures: reparameterisation, summed BCE plus the KL term."""

import tinygrad_np as torch
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim
from tinygrad_np.utils.data import DataLoader, TensorDataset

torch.manual_seed(1)
device = torch.device("cpu")

# Six 8x8 binary templates (bars and boxes); each picture is one of them with 5% of its pixels flipped.
templates = torch.zeros(6, 8, 8)
templates[0, 2:4, :] = 1
templates[1, :, 2:4] = 1
templates[2, 5:7, :] = 1
templates[3, :, 5:7] = 1
templates[4, 1:7, 1:7] = 1
templates[4, 2:6, 2:6] = 0
templates[5] = torch.eye(8)


def pictures(n):
    clean = templates[torch.randint(0, 6, (n,))]
    flips = (torch.rand(n, 8, 8) < 0.05).float()
    return (clean - flips).abs()


train_loader = DataLoader(TensorDataset(pictures(1024)), batch_size=64, shuffle=True)
test_loader = DataLoader(TensorDataset(pictures(256)), batch_size=64)


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(64, 48)
        self.fc21 = nn.Linear(48, 4)
        self.fc22 = nn.Linear(48, 4)
        self.fc3 = nn.Linear(4, 48)
        self.fc4 = nn.Linear(48, 64)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5*logvar)
        eps = torch.randn_like(std)
        return mu + eps*std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 64))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


model = VAE().to(device)
optimizer = optim.Adam(model.parameters(), lr=3e-3)


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction='sum')

    # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())

    return BCE + KLD


def train(epoch):
    model.train()
    train_loss = 0
    for batch_idx, (data,) in enumerate(train_loader):
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
    print('====> Epoch: {} Average loss: {:.4f}'.format(
          epoch, train_loss / len(train_loader.dataset)))


def test(epoch):
    model.eval()
    test_loss = 0
    with torch.no_grad():
        for i, (data,) in enumerate(test_loader):
            data = data.to(device)
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()

    test_loss /= len(test_loader.dataset)
    print('====> Test set loss: {:.4f}'.format(test_loss))
    return test_loss


first = test(0)
for epoch in range(1, 11):
    train(epoch)
    final = test(epoch)
    with torch.no_grad():
        sample = torch.randn(16, 4).to(device)
        sample = model.decode(sample).cpu()
print(f"samples: {tuple(sample.view(16, 1, 8, 8).shape)}")

assert final < 0.5 * first
print(f"first loss {first:.4f}, final loss {final:.4f}")
