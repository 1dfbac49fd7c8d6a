/**
 * The NAS-Bench-201 supernet against the PyTorch float64 restatement of the benchmark's code
 * (test/fixtures/make_nb201_torch.py): PyTorch's weights loaded from the checkpoint it wrote, the
 * batch from the fixture. Shared by the test and the fixture's generator.
 */
import { Nb201Supernet } from '../../lib/problems/nb201/supernet';
import { type LoadedReference, loadReference, referenceGaps } from '../supernet/torch_reference';

export interface Nb201TorchCase {
  config: { C: number; N: number; classes: number; inChannels: number; batch: number; image: number; seed: number };
  y: number[];
  params: number;
  loss: number;
  gradients: string[];
  eigenvalues: { top: number[]; bottom: number[] };
}

export interface Nb201TorchFixture {
  cases: Record<string, Nb201TorchCase>;
}

/** Case `name`'s supernet with PyTorch's weights and its batch; the caller disposes. */
export function loadNb201TorchCase(fixture: Nb201TorchFixture, name: string, dir: string): LoadedReference<Nb201Supernet> {
  const c = fixture.cases[name];
  if (!c) throw new Error(`no case ${name} in the fixture`);
  const { C, N, classes, inChannels } = c.config;
  const net = new Nb201Supernet({ C, N, classes, inChannels, seed: 0 });
  return loadReference(net, c.y, dir, name, { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
}

/** The loss gap (relative), the logits' and every gradient's gap (max |ours - torch| / max |torch|) on the active backend, and the weight count. */
export function nb201TorchGaps(fixture: Nb201TorchFixture, name: string, dir: string) {
  const loaded = loadNb201TorchCase(fixture, name, dir);
  try {
    return { ...referenceGaps(loaded, fixture.cases[name], 0), params: loaded.net.numParams() };
  } finally {
    loaded.dispose();
  }
}
