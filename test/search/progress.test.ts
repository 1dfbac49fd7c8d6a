/** The notebook's live view of a search (lib/search/progress.ts liveProgress), with a fake display and clock. */
import * as assert from 'assert';
import { liveProgress, makeProgress } from '../../lib/search/progress';
import type { EpochRecord } from '../../lib/runs/records';
import type { StepInfo } from '../../lib/search/loop';

const step = (epoch: number, s: number): StepInfo => ({
  epoch,
  step: s,
  steps: 4,
  train: { loss: 2.5, accuracy: 0.1 },
  search: { loss: 2.25, accuracy: 0.125 },
});
const record = (epoch: number, eigenvalue?: number) =>
  ({
    epoch,
    train: { loss: 1.5, accuracy: 0.4 },
    valid: { loss: 1.25, accuracy: 0.375 },
    seconds: { search: 60, valid: 5, ...(eigenvalue === undefined ? {} : { hessian: 10 }) },
    ...(eigenvalue === undefined ? {} : { hessian: { dominantEigenvalue: eigenvalue } }),
  }) as unknown as EpochRecord;

describe('liveProgress', () => {
  it('redraws one display at most once a second while steps run, and at every epoch with a row of its numbers', () => {
    const shown: string[] = [];
    let t = 0;
    const p = liveProgress({ html: (s) => shown.push(s), markdown: () => undefined, text: () => undefined }, 2, () => t);
    p.step(step(0, 1)); // first step: drawn
    t = 500;
    p.step(step(0, 2)); // within the second: not drawn
    t = 1200;
    p.step(step(0, 3));
    assert.strictEqual(shown.length, 2);
    assert.match(shown[1], /search: epoch 0 of 0-1, step 3\/4; train loss 2\.500, alpha-batch loss 2\.250; eta 2s/);
    p.epoch(record(0, 0.1234), 2, 'cell <a> & b');
    assert.strictEqual(shown.length, 3);
    assert.match(
      shown[2],
      /<tr><td>0<\/td><td>1\.500<\/td><td>0\.400<\/td><td>0\.375<\/td><td>0\.1234<\/td><td>1m15s<\/td><td>cell &lt;a&gt; &amp; b<\/td><\/tr>/,
    );
    p.epoch(record(1), 2);
    assert.strictEqual((shown[3].match(/<tr><td>/g) ?? []).length, 2, 'a row per epoch, in one display');
    p.done(true);
    assert.match(shown[4], /search: finished after epoch 1/);
  });

  it('says an interrupted run is resumable, and one that DARTS-ES ended early finished', () => {
    const shown: string[] = [];
    const p = liveProgress({ html: (s) => shown.push(s), markdown: () => undefined, text: () => undefined }, 10, () => 0);
    p.epoch(record(3), 10);
    p.done(false);
    assert.match(shown[shown.length - 1], /stopped after epoch 3 of 0-9 \(resumable\)/);
    p.done(true);
    assert.match(shown[shown.length - 1], /search: finished after epoch 3</);
  });

  it("is what makeProgress gives with a live display, unless the mode is 'off'", () => {
    const shown: string[] = [];
    const display = { html: (s: string) => shown.push(s), markdown: () => undefined, text: () => undefined };
    makeProgress('off', 2, 1, process.stderr, display).epoch(record(0), 2);
    assert.strictEqual(shown.length, 0);
    makeProgress('bar', 2, 1, process.stderr, display).epoch(record(0), 2);
    assert.strictEqual(shown.length, 1);
  });
});

describe('makeProgress', () => {
  it("names the problem's metric in its lines (the disparity problem's end-point error), 'acc' by default", () => {
    const lines = (metric?: string) => {
      const written: string[] = [];
      const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
      const p = makeProgress('log', 2, 1, stream, undefined, metric);
      p.step(step(0, 1));
      p.epoch({ ...record(0), lr: 0.025 } as EpochRecord, 2);
      return written.join('');
    };
    assert.match(lines('EPE px'), /train loss 2\.500 EPE px 0\.100 \|/);
    assert.match(lines('EPE px'), /train EPE px 0\.400, valid EPE px 0\.375 \(loss 1\.250\)/);
    assert.match(lines(), /train acc 0\.400, valid acc 0\.375/);
  });
});
