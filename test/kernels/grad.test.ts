import * as assert from 'assert';
import { initBackend, tf } from '../../lib/backend';
import { pointwiseApplies, replacedKernel, WASM_GRADIENT_KERNELS } from '../../lib/kernels/register';
import { relaxedSimd } from '../../lib/kernels/wasm_module';
import { dilateFilter, symmetricPadding } from '../../lib/nn/conv';
import { assertClose, assertNoTensorLeak } from '../helpers';

// Our wasm convolution kernels (lib/kernels) against two independent answers:
//  - the adjoint identities of a linear map, <dy, conv(x, w)> = <dx, x> = <dw, w>, where the
//    forward conv is tfjs's own kernel (XNNPACK on wasm) for full convs and ours for depthwise;
//  - the cpu backend's kernels, element by element: the forward convs in every case, the
//    gradients in the undilated ones (tfjs's cpu backprop kernels ignore dilation). Dilated and
//    stride-2 cases are also checked against PyTorch in test/nn.

interface Case {
  name: string;
  n: number;
  h: number;
  w: number;
  c: number;
  co?: number;
  k: number;
  s: number;
  d: number;
}

const CASES: Case[] = [
  { name: 'conv 1x1 s1', n: 2, h: 7, w: 9, c: 5, co: 9, k: 1, s: 1, d: 1 },
  { name: 'conv 1x1 s2 odd', n: 3, h: 7, w: 8, c: 6, co: 4, k: 1, s: 2, d: 1 },
  // The pointwise kernels' blocks: 8 and 4 output columns, several chunks of 64 pixels, a last
  // block of 4 rows with 1 (s1: 297 pixels) and 2 (s2: 90 pixels) of them.
  { name: 'conv 1x1 s1 blocks', n: 3, h: 9, w: 11, c: 12, co: 20, k: 1, s: 1, d: 1 },
  { name: 'conv 1x1 s2 blocks', n: 3, h: 11, w: 9, c: 16, co: 12, k: 1, s: 2, d: 1 },
  { name: 'conv 3x3 s1', n: 2, h: 9, w: 7, c: 3, co: 10, k: 3, s: 1, d: 1 },
  { name: 'conv 3x3 s2', n: 2, h: 8, w: 7, c: 4, co: 8, k: 3, s: 2, d: 1 },
  { name: 'dw 3x3 s1', n: 2, h: 7, w: 9, c: 6, k: 3, s: 1, d: 1 },
  { name: 'dw 3x3 s2', n: 2, h: 9, w: 8, c: 5, k: 3, s: 2, d: 1 },
  { name: 'dw 5x5 s1', n: 2, h: 7, w: 6, c: 8, k: 5, s: 1, d: 1 },
  { name: 'dw 5x5 s2', n: 3, h: 7, w: 9, c: 4, k: 5, s: 2, d: 1 },
  { name: 'dw 3x3 dil2 s1', n: 2, h: 9, w: 7, c: 5, k: 3, s: 1, d: 2 },
  { name: 'dw 3x3 dil2 s2', n: 2, h: 8, w: 9, c: 4, k: 3, s: 2, d: 2 },
  { name: 'dw 5x5 dil2 s1', n: 2, h: 9, w: 10, c: 3, k: 5, s: 1, d: 2 },
  { name: 'dw 5x5 dil2 s2', n: 2, h: 11, w: 9, c: 8, k: 5, s: 2, d: 2 },
  // Wide enough for the depthwise forward's blocks of four interior pixels, with a partial block
  // and a channel tail.
  { name: 'dw 3x3 s1 wide', n: 2, h: 5, w: 15, c: 10, k: 3, s: 1, d: 1 },
  { name: 'dw 5x5 dil2 s1 wide', n: 1, h: 9, w: 22, c: 7, k: 5, s: 1, d: 2 },
  // The filter gradient's blocks of 16, 8 and 4 channels and a channel tail.
  { name: 'dw 3x3 s1 channels', n: 2, h: 6, w: 7, c: 29, k: 3, s: 1, d: 1 },
  { name: 'dw 3x3 s2 channels', n: 2, h: 7, w: 6, c: 24, k: 3, s: 2, d: 1 },
];

const isDepthwise = (c: Case) => c.co === undefined;

/** Forward, and the two gradients of sum(y * dy), through the kernels of the active backend. */
function run(c: Case, x: tf.Tensor4D, w: tf.Tensor4D, dy: tf.Tensor4D) {
  const pad = ((c.k - 1) * c.d) / 2;
  const attrs = { strides: [c.s, c.s], pad: symmetricPadding(pad), dilations: [c.d, c.d], dataFormat: 'NHWC' };
  const e = tf.engine();
  if (isDepthwise(c)) {
    return {
      y: e.runKernel('DepthwiseConv2dNative', { x, filter: w }, attrs) as tf.Tensor,
      dx: e.runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
      dw: e.runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor,
    };
  }
  return {
    y: e.runKernel('Conv2D', { x, filter: w }, attrs) as tf.Tensor,
    dx: e.runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
    dw: e.runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor,
  };
}

function tensors(c: Case, seed: number) {
  const pad = ((c.k - 1) * c.d) / 2;
  const oh = Math.floor((c.h + 2 * pad - (c.k - 1) * c.d - 1) / c.s) + 1;
  const ow = Math.floor((c.w + 2 * pad - (c.k - 1) * c.d - 1) / c.s) + 1;
  const co = c.co ?? c.c;
  return {
    x: tf.randomNormal([c.n, c.h, c.w, c.c], 0, 1, 'float32', seed) as tf.Tensor4D,
    w: tf.randomNormal([c.k, c.k, c.c, c.co ?? 1], 0, 1, 'float32', seed + 1) as tf.Tensor4D,
    dy: tf.randomNormal([c.n, oh, ow, co], 0, 1, 'float32', seed + 2) as tf.Tensor4D,
  };
}

const dot = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.sum(tf.mul(a, b)).dataSync()[0]);

/** Asserts that our forward kernel `name` gives tfjs's (replaced) kernel's values bit for bit on each case. */
function assertBitIdenticalToReplaced(name: string, cases: Case[], seed: number): void {
  const old = replacedKernel(name);
  const ours = tf.getKernel(name, 'wasm');
  assert.ok(old && ours && ours.kernelFunc !== old, 'ours replaces tfjs kernel');
  const backend = tf.backend();
  for (const [i, c] of cases.entries()) {
    tf.tidy(() => {
      const { x, w } = tensors(c, seed + i);
      const pad = ((c.k - 1) * c.d) / 2;
      const attrs = { strides: [c.s, c.s], pad: symmetricPadding(pad), dilations: [c.d, c.d], dataFormat: 'NHWC' };
      const run = (f: tf.KernelFunc) => {
        const info = f({ inputs: { x, filter: w }, backend, attrs } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(info).dataSync();
      };
      const [a, b] = [run(ours.kernelFunc), run(old)];
      const differing = a.filter((v, j) => v !== b[j]).length;
      assert.strictEqual(differing, 0, `${c.name}: ${differing} of ${a.length} values differ`);
    });
  }
}

describe('wasm gradient kernels', () => {
  before(async function () {
    if ((await initBackend()).name !== 'wasm') this.skip();
  });
  after(async () => {
    await initBackend({ force: 'wasm' });
  });

  it('are registered for every kernel that tfjs-backend-wasm lacks, and the depthwise forward', () => {
    for (const name of [
      'Conv2D',
      'Conv2DBackpropFilter',
      'DepthwiseConv2dNativeBackpropFilter',
      'DepthwiseConv2dNativeBackpropInput',
      'DepthwiseConv2dNative',
    ]) {
      assert.ok(WASM_GRADIENT_KERNELS.includes(name) && tf.getKernel(name, 'wasm'), name);
    }
  });

  CASES.forEach((c, i) => {
    it(`${c.name}: satisfy the adjoint identities of the forward kernel`, () => {
      tf.tidy(() => {
        const { x, w, dy } = tensors(c, 100 + 10 * i);
        const r = run(c, x, w, dy);
        const s = dot(r.y, dy);
        assertClose([dot(r.dx, x)], [s], 1e-4, '<dx, x>');
        assertClose([dot(r.dw, w)], [s], 1e-4, '<dw, w>');
      });
    });
  });

  CASES.forEach((c, i) => {
    it(`${c.name}: forward matches the cpu backend element by element`, async () => {
      const { x, w, dy } = tensors(c, 300 + 10 * i);
      const wasm = tf.tidy(() => run(c, x, w, dy).y.dataSync().slice());
      await initBackend({ force: 'cpu' });
      // tfjs's cpu kernel refuses stride 2 with dilation 2: there, the dilated filter at dilation 1.
      const cpu = tf.tidy(() => {
        if (c.s === 1 || c.d === 1) return run(c, x, w, dy).y.dataSync().slice();
        const k = (c.k - 1) * c.d + 1;
        return run({ ...c, k, d: 1 }, x, dilateFilter(w, c.d), dy)
          .y.dataSync()
          .slice();
      });
      await initBackend({ force: 'wasm' });
      tf.dispose([x, w, dy]);
      assertClose(wasm, cpu, 1e-4, 'y');
    });
  });

  CASES.filter((c) => c.d === 1).forEach((c, i) => {
    it(`${c.name}: match the cpu backend element by element`, async () => {
      const { x, w, dy } = tensors(c, 500 + 10 * i);
      const wasm = tf.tidy(() => {
        const r = run(c, x, w, dy);
        return { dx: r.dx.dataSync().slice(), dw: r.dw.dataSync().slice() };
      });
      await initBackend({ force: 'cpu' });
      const cpu = tf.tidy(() => {
        const r = run(c, x, w, dy);
        return { dx: r.dx.dataSync().slice(), dw: r.dw.dataSync().slice() };
      });
      await initBackend({ force: 'wasm' });
      tf.dispose([x, w, dy]);
      assertClose(wasm.dx, cpu.dx, 1e-4, 'dx');
      assertClose(wasm.dw, cpu.dw, 1e-4, 'dw');
    });
  });

  // The relaxed build fuses each multiply-add (one rounding), so only the plain build can match.
  it("the depthwise forward sums in XNNPACK's order: bit-identical to tfjs's own kernel at 3x3 and 5x5 (plain build)", function () {
    if (relaxedSimd()) this.skip();
    const large: Case = { name: 'large', n: 2, h: 12, w: 13, c: 20, k: 5, s: 1, d: 1 };
    assertBitIdenticalToReplaced('DepthwiseConv2dNative', [...CASES.filter(isDepthwise), large], 900);
  });

  it("the pointwise forward sums in XNNPACK's order: bit-identical to tfjs's own kernel (plain build); other convs run tfjs's", function () {
    if (relaxedSimd()) this.skip();
    const large: Case = { name: 'large', n: 2, h: 16, w: 16, c: 32, co: 64, k: 1, s: 1, d: 1 };
    assertBitIdenticalToReplaced('Conv2D', [...CASES.filter((c) => !isDepthwise(c)), large], 950);
  });

  it('our pointwise kernels take 1x1 convs without padding whose every output pixel reads an input pixel', () => {
    const applies = (h: number, k: number, s: number, pad: number | 'same' | 'valid', rounding?: 'ceil' | 'round' | 'floor') =>
      pointwiseApplies(tf.backend_util.computeConv2DInfo([2, h, h, 8], [k, k, 8, 8], [s, s], 1, pad, rounding));
    assert.deepStrictEqual(
      [
        applies(7, 1, 1, 'valid'),
        applies(7, 1, 2, 'valid'),
        applies(7, 1, 2, 'same'),
        applies(7, 1, 2, 0),
        applies(7, 3, 1, 'same'),
        applies(7, 1, 1, 1),
      ],
      [true, true, true, true, false, false],
    );
    // tfjs's 'ceil' rounding: (4 - 1) / 2 + 1 = 2.5 output rows, rounded up to 3, the third past the
    // input (ours would read the next image); 'floor' gives 2.
    assert.deepStrictEqual([applies(4, 1, 2, 0, 'ceil'), applies(5, 1, 2, 0, 'ceil'), applies(4, 1, 2, 0, 'floor')], [false, true, true]);
  });

  it('RDARTS_POINTWISE_KERNELS=0 puts back the paths the pointwise kernels replaced', () => {
    const info = tf.backend_util.computeConv2DInfo([2, 7, 7, 8], [1, 1, 8, 8], [1, 1], 1, 'valid');
    assert.strictEqual(pointwiseApplies(info), true);
    process.env.RDARTS_POINTWISE_KERNELS = '0';
    try {
      assert.strictEqual(pointwiseApplies(info), false);
    } finally {
      delete process.env.RDARTS_POINTWISE_KERNELS;
    }
  });

  it("the depthwise forward matches tfjs's kernel on other geometries: asymmetric, negative and oversized padding, rectangular filters, dilated rows in the padding", () => {
    const old = replacedKernel('DepthwiseConv2dNative') as tf.KernelFunc;
    const ours = (tf.getKernel('DepthwiseConv2dNative', 'wasm') as tf.KernelConfig).kernelFunc;
    const backend = tf.backend();
    type Geometry = { h: number; w: number; c: number; kh: number; kw: number; s: number; d: number; pad: number[] };
    const cases: Geometry[] = [
      { h: 6, w: 8, c: 16, kh: 3, kw: 3, s: 1, d: 1, pad: [0, 0, -2, 0] }, // a crop on the left
      { h: 6, w: 9, c: 5, kh: 3, kw: 3, s: 1, d: 1, pad: [-1, -1, -1, -1] },
      { h: 5, w: 10, c: 8, kh: 3, kw: 3, s: 2, d: 1, pad: [0, 2, 1, 0] }, // asymmetric
      { h: 4, w: 4, c: 4, kh: 3, kw: 3, s: 1, d: 2, pad: [5, 5, 5, 5] }, // rows wholly in the padding
      { h: 2, w: 2, c: 1, kh: 1, kw: 1, s: 1, d: 2, pad: [0, 1, 0, 0] },
      { h: 7, w: 11, c: 6, kh: 2, kw: 3, s: 1, d: 1, pad: [1, 0, 1, 1] }, // rectangular
      { h: 9, w: 8, c: 12, kh: 5, kw: 3, s: 2, d: 2, pad: [4, 4, 2, 2] },
    ];
    for (const [i, g] of cases.entries()) {
      tf.tidy(() => {
        const x = tf.randomNormal([2, g.h, g.w, g.c], 0, 1, 'float32', 40 + i);
        const w = tf.randomNormal([g.kh, g.kw, g.c, 1], 0, 1, 'float32', 60 + i);
        const [t, b, l, r] = g.pad;
        const attrs = {
          strides: [g.s, g.s],
          pad: [
            [0, 0],
            [t, b],
            [l, r],
            [0, 0],
          ],
          dilations: [g.d, g.d],
          dataFormat: 'NHWC',
        };
        const run = (f: tf.KernelFunc) =>
          tf
            .engine()
            .makeTensorFromTensorInfo(
              f({ inputs: { x, filter: w }, backend, attrs } as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo,
            );
        const [a, e] = [run(ours), run(old)];
        assert.deepStrictEqual(a.shape, e.shape, JSON.stringify(g));
        assertClose(a.dataSync(), e.dataSync(), 1e-5, JSON.stringify(g));
      });
    }
  });

  it('the fused ReLU-depthwise and its gradients are bit-identical to ReLU and the depthwise kernels one after the other', () => {
    const e = tf.engine();
    for (const [i, c] of CASES.filter(isDepthwise).entries()) {
      tf.tidy(() => {
        const { x, w, dy } = tensors(c, 700 + i);
        const pad = ((c.k - 1) * c.d) / 2;
        const attrs = { strides: [c.s, c.s], pad: symmetricPadding(pad), dilations: [c.d, c.d], dataFormat: 'NHWC' };
        const r = tf.relu(x);
        const pairs: [string, tf.Tensor, tf.Tensor][] = [
          ['y', e.runKernel('RdartsReluDepthwise', { x, filter: w }, attrs) as tf.Tensor, run(c, r, w, dy).y],
          [
            'dx',
            e.runKernel('RdartsReluDepthwiseBackpropInput', { dy, filter: w, x }, { ...attrs, inputShape: x.shape }) as tf.Tensor,
            tf.mul(run(c, r, w, dy).dx, tf.step(r)),
          ],
          [
            'dw',
            e.runKernel('RdartsReluDepthwiseBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor,
            run(c, r, w, dy).dw,
          ],
        ];
        for (const [name, fused, apart] of pairs) {
          const [a, b] = [fused.dataSync(), apart.dataSync()];
          assert.strictEqual(a.filter((v, j) => v !== b[j]).length, 0, `${c.name} ${name}`);
        }
        // The inputs have negative entries, so ReLU changes them and the test can tell.
        assert.ok(tf.sum(tf.less(x, 0)).dataSync()[0] > 0);
      });
    }
  });

  it('leak no tensors', async () => {
    const c = CASES[9];
    const { x, w, dy } = tensors(c, 7);
    await assertNoTensorLeak(() =>
      tf.tidy(() => {
        const r = run(c, x, w, dy);
        return void [r.dx.dataSync(), r.dw.dataSync()];
      }),
    );
    tf.dispose([x, w, dy]);
  });
});
