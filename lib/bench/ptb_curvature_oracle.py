"""The float64 PyTorch oracle of a language-modelling search's alpha curvature at a trained point
(docs/method.md §9): reads what lib/bench/ptb_curvature_point.ts wrote, restates the search network
with the DARTS search cell of test/fixtures/make_recurrent_cell_torch.py (the same masks, window and
weights, ReLU kinks exact as autograd takes them), and prints JSON lines:
  - the exact spectrum's ends and where its extreme eigenvectors sit (flattened [36, 5] alphas);
  - per finite-difference step, the relative error of our H v against the exact one (a random
    direction and unit vectors) and our Lanczos dominant eigenvalue against the exact top.
Run from the repository root with Debian's interpreter (torch 1.13 CPU):
    /usr/bin/python3 lib/bench/ptb_curvature_oracle.py POINT.json
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures'))
from make_recurrent_cell_torch import step  # noqa: E402  (the one restatement of the search cell)

torch.set_num_threads(1)


def tensor(a):
    """A float32 tensor of the point, widened to float64 (None: no such mask)."""
    if a is None:
        return None
    return torch.tensor(np.asarray(a['data'], dtype=np.float32).astype(np.float64).reshape(a['shape']))


def main():
    p = json.load(open(sys.argv[1]))
    W = {k: tensor(v) for k, v in p['weights'].items()}
    M = {k: tensor(v) for k, v in p['masks'].items()}
    H = p['size']
    ids = torch.tensor(np.asarray(p['inputs']['data'], dtype=np.int64).reshape(p['inputs']['shape']))
    targets = torch.tensor(np.asarray(p['targets']['data'], dtype=np.int64))
    h0, a0 = tensor(p['h0']), tensor(p['alphas']).reshape(-1)
    ws = [W['cell.w%d' % (i + 1)] for i in range(8)]
    table = W['embedding'] * M['rows'] if M['rows'] is not None else W['embedding']
    emb = F.embedding(ids, table)
    if M['input'] is not None:
        emb = emb * M['input']

    def nll(a):
        probs = F.softmax(a.reshape(36, 5), -1)
        h, outs = h0, []
        for t in range(emb.shape[0]):
            h = step(emb[t], h, W['cell.w0'], ws, probs, M['x'], M['h'], H)
            outs.append(h)
        o = torch.stack(outs)
        if M['output'] is not None:
            o = o * M['output']
        logits = F.linear(o.reshape(-1, H), W['embedding'], W['decoder.bias'])
        return F.nll_loss(F.log_softmax(logits, -1), targets)

    a = a0.clone().requires_grad_(True)
    loss = nll(a)
    (g,) = torch.autograd.grad(loss, a)
    g = g.numpy()
    hess = torch.autograd.functional.hessian(nll, a0).numpy()
    hess = (hess + hess.T) / 2
    ev, vec = np.linalg.eigh(hess)
    line = lambda o: print(json.dumps({'run': p['run'], 'epoch': p['epoch'], 'window': p['window'], 'passes': p.get('passes', 'train'), **o}), flush=True)

    def where(v):
        top = np.argsort(-np.abs(v))[:5]
        return ['%d:%.2f' % (i, v[i]) for i in top]

    line({
        'what': 'exact',
        'loss': loss.item(), 'ourLoss': p['loss'],
        'gradientGap': float(np.abs(g - np.asarray(p['gradient'])).max() / np.abs(g).max()),
        'top': ev[::-1][:3].tolist(), 'bottom': ev[:3].tolist(),
        'topVector': where(vec[:, -1]), 'bottomVector': where(vec[:, 0]),
    })
    for s in sorted({q['step'] for q in p['products']}, reverse=True):
        errors = {}
        for q in p['products']:
            if q['step'] != s:
                continue
            exact = hess @ np.asarray(q['v'])
            errors[q['name']] = float(np.linalg.norm(np.asarray(q['hv']) - exact) / max(np.linalg.norm(exact), 1e-300))
        lz = [q for q in p['lanczos'] if q['step'] == s][0]
        line({'what': 'step', 'step': s, 'productError': errors, 'lanczos': lz['value'], 'exactTop': float(ev[-1])})


if __name__ == '__main__':
    main()
