"""A character bigram language model, makemore-style, plus the "mathematical trick" of self-attention:
torch.Tensor(ndarray), .size(), torch.from_numpy, one_hot, topk, tril, masked_fill and multinomial sampling."""

import numpy as np

import tinygrad_np as torch
import tinygrad_np.nn.functional as F

torch.manual_seed(2147483647)

words = ("emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily elizabeth mila ella "
         "avery sofia camila aria scarlett victoria madison luna grace chloe penelope layla riley zoey nora lily "
         "eleanor hannah lillian addison aubrey ellie stella natalie zoe leah hazel violet aurora savannah audrey "
         "brooklyn bella claire skylar lucy paisley everly anna caroline nova genesis emilia kennedy").split()
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi['.'] = 0
itos = {i: s for s, i in stoi.items()}
vocab_size = len(stoi)

xs, ys = [], []
for w in words:
    chs = ['.'] + list(w) + ['.']
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs = torch.from_numpy(np.array(xs))
ys = torch.from_numpy(np.array(ys))
num = xs.nelement()
print('number of examples: ', num, xs.dtype)

W = torch.randn((vocab_size, vocab_size), requires_grad=True)
for k in range(100):
    xenc = F.one_hot(xs, num_classes=vocab_size).float()
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdim=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W ** 2).mean()
    if k == 0:
        first = loss.item()
    W.grad = None
    loss.backward()
    W.data += -10 * W.grad
final = loss.item()
print(f"loss {first:.4f} -> {final:.4f}")

# The three likeliest letters after '.', then a few sampled names.
with torch.no_grad():
    p = F.softmax(W[0], dim=0)
    values, indices = p.topk(3)
    print("after '.':", [(itos[i.item()], round(v.item(), 3)) for v, i in zip(values, indices)])
    for _ in range(5):
        out, ix = [], 0
        while True:
            p = F.softmax(W[ix], dim=0)
            ix = torch.multinomial(p, num_samples=1, replacement=True).item()
            if ix == 0 or len(out) == 20:
                break
            out.append(itos[ix])
        print(''.join(out))

# Averaging over the past with a lower-triangular matrix, then the same with masked_fill and softmax.
features = torch.Tensor(np.random.default_rng(0).normal(size=(4, 8, 2)))
B, T, C = features.size()
print(features.size(), features.dtype)
tril = torch.tril(torch.ones(T, T))
wei = tril / tril.sum(1, keepdim=True)
xbow = wei @ features
wei2 = torch.zeros((T, T)).masked_fill(tril == 0, float('-inf'))
xbow2 = F.softmax(wei2, dim=-1) @ features
assert torch.allclose(xbow, xbow2, atol=1e-6)
assert torch.allclose(xbow[:, -1], features.mean(1), atol=1e-6)

assert final < 0.7 * first and final < np.log(vocab_size)
print(f"first loss {first:.4f}, final loss {final:.4f}")
