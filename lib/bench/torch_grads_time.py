"""PyTorch's time for what lib/bench/webgpu_check.ts times: the supernet's loss and the gradient of
every weight and both alphas (one forward and one backward, no optimiser), float32, at the same
three sizes, on CUDA where PyTorch sees a GPU, else on the CPU. The supernet is the restatement of
the DARTS code's model_search.py in test/fixtures/make_supernet_hessian.py (the oracle of the
gradient tests); S3's candidates are its ops.

    python3 lib/bench/torch_grads_time.py [--iters N] [--append FILE]

Plain float32 on CUDA: TF32 off (PyTorch enables it for cuDNN's convolutions by default), cuDNN's
autotuner on, as the DARTS code sets it. Prints one JSON line per size ({"bench":
"torch_grads_time", "device", "config", "median_ms", "ms", "cudnn"}).
"""
import argparse
import json
import os
import socket
import statistics
import sys
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'test', 'fixtures'))
import make_supernet_hessian as ref  # noqa: E402  (the restatement; it sets float64 and 1 thread)
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

SIZES = [
    {'space': 's3', 'layers': 5, 'C': 8, 'image': 28, 'inChannels': 1, 'batch': 64},
    {'space': 'darts', 'layers': 5, 'C': 8, 'image': 28, 'inChannels': 1, 'batch': 64},
    {'space': 's3', 'layers': 8, 'C': 16, 'image': 32, 'inChannels': 3, 'batch': 64},
]


def time_size(size, device, iters, warmup):
    torch.set_default_dtype(torch.float32)  # the fixture module sets float64 on import
    torch.manual_seed(0)
    space = ref.uniform_space(ref.SPACES[size['space']])
    net = ref.Network(size['C'], 10, size['layers'], space, size['inChannels'], None).to(device)
    k = len(ref.SPACES[size['space']])
    alphas = [(1e-3 * torch.randn(ref.EDGES, k, device=device)).requires_grad_() for _ in range(2)]
    x = torch.randn(size['batch'], size['inChannels'], size['image'], size['image'], device=device)
    y = torch.arange(size['batch'], device=device) % 10
    params = list(net.parameters()) + alphas
    times = []
    for i in range(warmup + iters):
        if device.type == 'cuda':
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss = F.cross_entropy(net(x, alphas[0], alphas[1]), y)
        grads = torch.autograd.grad(loss, params)
        if device.type == 'cuda':
            torch.cuda.synchronize()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
        del loss, grads
    return times


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--iters', type=int, default=5)
    p.add_argument('--append', default=None)
    a = p.parse_args()
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    if device.type == 'cpu':
        torch.set_num_threads(1)
    name = torch.cuda.get_device_name(0) if device.type == 'cuda' else 'cpu, 1 thread'
    for size in SIZES:
        times = time_size(size, device, a.iters, 2)
        line = json.dumps({
            'bench': 'torch_grads_time', 'device': name, 'torch': torch.__version__, 'config': size,
            'iters': a.iters, 'median_ms': statistics.median(times), 'ms': times,
            'cudnn': {'allow_tf32': torch.backends.cudnn.allow_tf32, 'benchmark': torch.backends.cudnn.benchmark},
            'at': datetime.now(timezone.utc).isoformat(), 'host': socket.gethostname(),
        })
        print(line, flush=True)
        if a.append:
            with open(a.append, 'a') as f:
                f.write(line + '\n')


if __name__ == '__main__':
    main()
