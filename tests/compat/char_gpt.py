"""A character-level GPT, nanoGPT-style: token and position embeddings, causal self-attention
from one qkv projection split into heads (tril mask + masked_fill + softmax), pre-norm blocks,
AdamW with weight decay on matrices only, gradient clipping, top-k sampling with multinomial.
Trains on tiny Shakespeare's first 20,000 characters when input.txt is in the working folder
(char-rnn's file, as karpathy's scripts read it), else on a few hundred characters it writes
itself; checks its attention against F.scaled_dot_product_attention where that exists."""

import math
import os

import tinygrad_np as torch
import tinygrad_np.nn as nn
from tinygrad_np.nn import functional as F

torch.manual_seed(1337)

if os.path.exists("input.txt"):
    with open("input.txt", encoding="utf-8") as f:
        text = f.read()[:20000]
else:
    animals, verbs = ["cat", "dog", "owl", "fox"], ["sat on", "ran to", "saw"]
    text = "".join(f"the {a} {v} the {b}.\n" for a in animals for v in verbs for b in animals if a != b)
chars = sorted(set(text))
stoi = {ch: i for i, ch in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
block_size, batch_size, n_embd, n_head = 16, 16, 32, 4


def get_batch():
    ix = torch.randint(len(data) - block_size, (batch_size,))
    x = torch.stack([data[i:i + block_size] for i in ix])
    y = torch.stack([data[i + 1:i + 1 + block_size] for i in ix])
    return x, y


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size)).view(1, 1, block_size, block_size))

    def heads(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(n_embd, dim=2)
        return [t.view(B, T, n_head, C // n_head).transpose(1, 2) for t in (q, k, v)]

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.heads(x)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.attn = nn.LayerNorm(n_embd), CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd))

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab_size, n_embd), nn.Embedding(block_size, n_embd)
        self.block, self.ln_f = Block(), nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)

    def forward(self, idx, targets=None):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long)
        logits = self.lm_head(self.ln_f(self.block(self.wte(idx) + self.wpe(pos))))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, top_k=3):
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -block_size:])
            logits = logits[:, -1, :]
            v, _ = torch.topk(logits, top_k)
            logits[logits < v[:, [-1]]] = -float("Inf")
            idx = torch.cat((idx, torch.multinomial(F.softmax(logits, dim=-1), num_samples=1)), dim=1)
        return idx


model = GPT(len(chars))
decay = [p for p in model.parameters() if p.dim() >= 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                              lr=3e-3, betas=(0.9, 0.99))
losses = []
for step in range(150):
    xb, yb = get_batch()
    _, loss = model(xb, yb)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    losses.append(loss.item())

first, final = sum(losses[:10]) / 10, sum(losses[-10:]) / 10
model.eval()
sample = model.generate(torch.tensor([[stoi["t"]]]), 40)[0].tolist()
if hasattr(F, "scaled_dot_product_attention"):
    with torch.no_grad():
        x = model.wte(xb)
        q, k, v = model.block.attn.heads(x)
        B, T, C = x.size()
        flash = model.block.attn.c_proj(F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2)
                                        .reshape(B, T, C))
        assert torch.allclose(flash, model.block.attn(x), atol=1e-5)
assert final < first - 1.0
print(f"loss {first:.4f} -> {final:.4f}, sample {''.join(chars[i] for i in sample)!r}")
