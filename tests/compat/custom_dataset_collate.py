"""A Dataset subclass of variable-length token sequences, a collate_fn that pads them with F.pad, an Embedding
averaged over the real tokens only, and a DataLoader shuffling with its own seeded Generator."""

import tinygrad_np as torch
import tinygrad_np.nn.functional as F
from tinygrad_np import nn, optim
from tinygrad_np.utils.data import DataLoader, Dataset

VOCAB, PAD = 20, 0


class TokenSequences(Dataset):
    """Label 1 when token 7 occurs in the sequence."""

    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.samples = []
        for _ in range(n):
            length = int(torch.randint(3, 12, (1,), generator=g))
            tokens = torch.randint(1, VOCAB, (length,), generator=g)
            self.samples.append((tokens, int((tokens == 7).any())))

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, idx):
        return self.samples[idx]


def collate(batch):
    longest = max(len(tokens) for tokens, _ in batch)
    padded = torch.stack([F.pad(tokens, (0, longest - len(tokens)), value=PAD) for tokens, _ in batch])
    labels = torch.tensor([label for _, label in batch])
    return padded, labels


class BagOfTokens(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(VOCAB, 16, padding_idx=PAD)
        self.out = nn.Linear(16, 2)

    def forward(self, tokens):
        mask = (tokens != PAD).unsqueeze(-1).float()
        summed = (self.embedding(tokens) * mask).sum(dim=1)
        return self.out(summed / mask.sum(dim=1))


train_loader = DataLoader(TokenSequences(800, seed=1), batch_size=32, shuffle=True, collate_fn=collate,
                          drop_last=True, generator=torch.Generator().manual_seed(0))
test_loader = DataLoader(TokenSequences(200, seed=2), batch_size=100, collate_fn=collate)
torch.manual_seed(0)
model = BagOfTokens()
optimizer = optim.AdamW(model.parameters(), lr=0.03, weight_decay=1e-4)
criterion = nn.CrossEntropyLoss()


def evaluate():
    model.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for tokens, labels in test_loader:
            logits = model(tokens)
            total += criterion(logits, labels).item() * len(labels)
            correct += (logits.argmax(1) == labels).sum().item()
    return total / len(test_loader.dataset), correct / len(test_loader.dataset)


first, _ = evaluate()
for epoch in range(5):
    model.train()
    for tokens, labels in train_loader:
        optimizer.zero_grad()
        criterion(model(tokens), labels).backward()
        optimizer.step()
    final, accuracy = evaluate()
    print(f"epoch {epoch}: test loss {final:.4f}, accuracy {accuracy:.3f}")

assert final < 0.5 * first and accuracy > 0.8
print(f"first loss {first:.4f}, final loss {final:.4f}, accuracy {accuracy:.3f}")
