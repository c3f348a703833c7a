"""Knowledge distillation from a frozen teacher into a small student: F.kl_div on temperature-softened
outputs, a feature-matching term with F.normalize and F.cosine_similarity, F.huber_loss on the logits."""

import tinygrad_np as torch
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim

torch.manual_seed(0)


class Teacher(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                                      nn.Flatten(), nn.Linear(64, 16))
        self.head = nn.Linear(16, 5)

    def forward(self, x):
        feat = self.features(x)
        return feat, 4 * self.head(feat)


class Student(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.pool = nn.AdaptiveMaxPool2d((2, 2))
        self.fc = nn.Linear(32, 16)
        self.head = nn.Linear(16, 5)

    def forward(self, x):
        feat = self.fc(torch.flatten(self.pool(F.relu(self.conv(x))), 1))
        return feat, self.head(feat)


teacher = Teacher()
teacher.eval()
for p in teacher.parameters():
    p.requires_grad_(False)
student = Student()
optimizer = optim.Adam(student.parameters(), lr=5e-3)
T = 2.0


def distillation_loss(x):
    with torch.no_grad():
        t_feat, t_logits = teacher(x)
    s_feat, s_logits = student(x)
    soft = F.kl_div(F.log_softmax(s_logits / T, dim=1), F.softmax(t_logits / T, dim=1),
                    reduction='batchmean') * T * T
    align = (1 - F.cosine_similarity(F.normalize(s_feat, dim=1), F.normalize(t_feat, dim=1), dim=1)).mean()
    match = F.huber_loss(s_logits, t_logits, delta=1.0)
    return soft + align + 0.1 * match


x_val = torch.randn(128, 1, 8, 8)
with torch.no_grad():
    first = distillation_loss(x_val).item()
for step in range(60):
    x = torch.randn(64, 1, 8, 8)
    optimizer.zero_grad()
    loss = distillation_loss(x)
    loss.backward()
    optimizer.step()
    if step % 20 == 0:
        print(f"step {step:3d}: loss {loss.item():.4f}")
with torch.no_grad():
    final = distillation_loss(x_val).item()

assert final < 0.5 * first
print(f"first loss {first:.4f}, final loss {final:.4f}")
