"""Which of three motifs hides, shifted, in a noisy sequence: torch.roll augmentation, split/narrow, label smoothing
written with new_zeros and scatter_, global max pooling over a Conv1d, clip_grad_norm_ and grad_fn introspection."""

import tinygrad_np as torch
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim

torch.manual_seed(0)
classes, length, width = 3, 32, 8
motifs = torch.randn(classes, width)


def make(n):
    y = torch.randint(0, classes, (n,))
    x = torch.zeros(n, length)
    x[:, :width] = motifs[y]
    shifts = torch.randint(0, length - width, (n,)).tolist()
    x = torch.stack([torch.roll(row, s) for row, s in zip(x, shifts)])
    return x + 0.3 * torch.randn(n, length), y


x, y = make(700)
x_train, x_val = x.split([600, 100])
y_train, y_val = y.split([600, 100])
print("a validation row:", x_val.narrow(0, 0, 1).shape)


class MotifNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 16, kernel_size=width)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        h = F.relu(self.conv(x.unsqueeze(1)))
        h = torch.max(h, dim=2)[0]
        return self.fc(h)


def smooth_targets(y, eps=0.1):
    target = y.new_zeros((y.size(0), classes), dtype=torch.float)
    target.fill_(eps / (classes - 1))
    return target.scatter_(1, y.unsqueeze(1), 1 - eps)


def criterion(logits, y):
    return (-smooth_targets(y) * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


model = MotifNet()
optimizer = optim.Adam(model.parameters(), lr=1e-2)
print("fc weight transposed:", model.fc.weight.t().shape)

with torch.no_grad():
    first = criterion(model(x_val), y_val).item()
for epoch in range(6):
    model.train()
    for i in range(0, 600, 50):
        xb, yb = x_train[i:i + 50], y_train[i:i + 50]
        xb = torch.roll(xb, shifts=int(torch.randint(-3, 4, (1,))), dims=1)
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        norm_before = torch.stack([p.grad.norm() for p in model.parameters()]).norm()
        total_norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        assert abs(total_norm.item() - norm_before.item()) < 1e-4 * max(1.0, norm_before.item())
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(x_val)
        final = criterion(logits, y_val).item()
        accuracy = (logits.argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch}: val loss {final:.4f}, accuracy {accuracy:.3f}, grad norm {total_norm:.3f}")

print("last loss node:", loss.grad_fn.name(), "with", len(loss.grad_fn.next_functions), "inputs")
assert final < 0.5 * first and accuracy > 0.8
print(f"first loss {first:.4f}, final loss {final:.4f}, accuracy {accuracy:.3f}")
