import * as assert from 'assert';
import {
  CODE_RULE,
  codeRule,
  earlyStopDecision,
  EarlyStopDecision,
  EarlyStopRule,
  EigenvalueEntry,
  firstEarlyStop,
  PAPER_RULE,
} from '../../lib/control/early_stop';
import { assertClose } from '../helpers';

/**
 * The code's evaluation schedule: after every epoch with epoch % every == 0, and after the last
 * (src/search/train_search.py), with eigenvalue value(epoch).
 */
function schedule(totalEpochs: number, every: number, value: (epoch: number) => number): EigenvalueEntry[] {
  const out: EigenvalueEntry[] = [];
  for (let epoch = 0; epoch < totalEpochs; epoch++) {
    if (epoch % every === 0 || epoch === totalEpochs - 1) out.push({ epoch, dominantEigenvalue: value(epoch) });
  }
  return out;
}

/** The first stop found by deciding at every prefix in turn, written out as the loop would. */
function scanPrefixes(history: readonly EigenvalueEntry[], rule: EarlyStopRule, totalEpochs?: number): EarlyStopDecision {
  for (let n = 1; n <= history.length; n++) {
    const d = earlyStopDecision(history.slice(0, n), rule, totalEpochs);
    if (d.stop) return d;
  }
  return { stop: false };
}

/** Asserts two decisions agree (ratios to 1e-12 relative). */
function assertDecision(actual: EarlyStopDecision, expected: EarlyStopDecision, what: string): void {
  if (!expected.stop || !actual.stop) {
    assert.deepStrictEqual(actual, expected, what);
    return;
  }
  assert.strictEqual(actual.decisionEpoch, expected.decisionEpoch, `${what}: decisionEpoch`);
  assert.strictEqual(actual.stopEpoch, expected.stopEpoch, `${what}: stopEpoch`);
  assertClose([actual.ratio], [expected.ratio], 1e-12, `${what}: ratio`);
}

interface Case {
  readonly name: string;
  readonly history: readonly EigenvalueEntry[];
  readonly rule: EarlyStopRule;
  readonly totalEpochs?: number;
  /** The first stop, worked out by hand in the comment beside the case. */
  readonly expected: EarlyStopDecision;
}

const NO: EarlyStopDecision = { stop: false };
const stops = (decisionEpoch: number, stopEpoch: number, ratio: number): EarlyStopDecision => ({
  stop: true,
  decisionEpoch,
  stopEpoch,
  ratio,
});

// CODE_RULE with evaluations every 2 epochs: at decision epoch e (>= 22, not the last epoch),
// recent = mean of the values at epochs e-8 .. e, past = mean at epochs e-16 .. e-8;
// stop when recent / past > 1.3, returning epoch e - 12.
// The decisions of the CODE_RULE cases were also reproduced by running the original EVLocalAvg
// (utils.py) under train_search.py's call pattern.
const step = (e: number) => (e <= 14 ? 1 : 2);
const debug = (e: number) => (e < 8 ? 0.1 : 2.0);
const CASES: readonly Case[] = [
  // Flat: every local average is 1, the ratio 1 at every decision.
  { name: 'flat 1.0, 50 epochs', history: schedule(50, 2, () => 1), rule: CODE_RULE, totalEpochs: 50, expected: NO },
  // 1.03^epoch: windows 8 epochs apart, so recent = 1.03^8 past term by term;
  // ratio 1.03^8 = 1.2668 <= 1.3 at every decision.
  { name: 'slow geometric rise 1.03^epoch', history: schedule(50, 2, (e) => 1.03 ** e), rule: CODE_RULE, totalEpochs: 50, expected: NO },
  // Step 1 -> 2 between epochs 14 and 16. e = 22: recent = epochs 14..22 = (1 + 2+2+2+2) / 5 = 1.8,
  // past = epochs 6..14 = 1, ratio 1.8 > 1.3: the first allowed decision stops, at epoch 22 - 12 = 10.
  // (At e = 20 the ratio would be 1.6, but 20 < 22.)
  {
    name: 'step at epoch 16 fires at the first allowed epoch',
    history: schedule(50, 2, step),
    rule: CODE_RULE,
    totalEpochs: 50,
    expected: stops(22, 10, 1.8),
  },
  // The same step in a 23-epoch run: epoch 22 is the last epoch, where the rule is not consulted;
  // nothing is evaluated later, so no stop.
  { name: 'step, 23 epochs: 22 is the last epoch', history: schedule(23, 2, step), rule: CODE_RULE, totalEpochs: 23, expected: NO },
  // In a 24-epoch run (evaluations 0..22 and 23) epoch 22 is not the last: ratio 1.8, stop at 10.
  {
    name: 'step, 24 epochs: 22 is not the last',
    history: schedule(24, 2, step),
    rule: CODE_RULE,
    totalEpochs: 24,
    expected: stops(22, 10, 1.8),
  },
  // 1 everywhere but 100 at the last epoch 49 (evaluated as the last): every decision before has
  // ratio 1; at 49 the rule is not consulted.
  {
    name: 'spike at the last epoch, totalEpochs given',
    history: schedule(50, 2, (e) => (e === 49 ? 100 : 1)),
    rule: CODE_RULE,
    totalEpochs: 50,
    expected: NO,
  },
  // Without totalEpochs it would decide at 49: recent = entries 21..25 = epochs 42,44,46,48,49 =
  // (4 + 100) / 5 = 20.8, past = entries 17..21 = epochs 34..42 = 1; stop at entry 19 = epoch 38.
  {
    name: 'spike at the last epoch, totalEpochs unknown',
    history: schedule(50, 2, (e) => (e === 49 ? 100 : 1)),
    rule: CODE_RULE,
    expected: stops(49, 38, 20.8),
  },
  // The code's debug series (0.1 before epoch 8, 2.0 from 8). e = 22: recent = epochs 14..22 = 2,
  // past = epochs 6..14 = (0.1 + 4 * 2) / 5 = 1.62, ratio 2 / 1.62 = 1.2346 <= 1.3; from e = 24 the
  // past window starts at 8: ratio 1. The code rule never fires on it.
  { name: 'debug series, code rule: never', history: schedule(50, 2, debug), rule: CODE_RULE, totalEpochs: 50, expected: NO },
  // With es_start_epoch 8 (start 8 + 12 = 20): e = 20: recent = epochs 12..20 = 2, past = epochs
  // 4..12 = (0.1 + 0.1 + 3 * 2) / 5 = 1.24, ratio 1.6129 > 1.3: stop at 8.
  {
    name: 'debug series, es_start_epoch 8',
    history: schedule(50, 2, debug),
    rule: codeRule({ esStartEpoch: 8 }),
    totalEpochs: 50,
    expected: stops(20, 8, 2 / 1.24),
  },
  // With es_start_epoch 0 (start 12): e = 12: recent = epochs 4..12 = 1.24, past = centre epoch 0,
  // epochs 0..4 only (3 values) = 0.1, ratio 12.4: stop at 0.
  {
    name: 'debug series, es_start_epoch 0',
    history: schedule(50, 2, debug),
    rule: codeRule({ esStartEpoch: 0 }),
    totalEpochs: 50,
    expected: stops(12, 0, 12.4),
  },
  // Exactly at the threshold: 10 up to epoch 14, 13.75 from 16. e = 22: recent = (10 + 4 * 13.75) / 5
  // = 65 / 5 = 13, past = 10, ratio 13 / 10 = 1.3, not > 1.3. e = 24: past = (4 * 10 + 13.75) / 5 =
  // 10.75, ratio 1.279; e = 26: 13.75 / 11.5 = 1.196; falling after. No stop (strict inequality).
  {
    name: 'ratio exactly 1.3 does not fire',
    history: schedule(50, 2, (e) => (e <= 14 ? 10 : 13.75)),
    rule: CODE_RULE,
    totalEpochs: 50,
    expected: NO,
  },
  // Just above: 13.76 from 16. e = 22: recent = (10 + 55.04) / 5 = 13.008, ratio 1.3008: stop at 10.
  {
    name: 'ratio just above 1.3 fires',
    history: schedule(50, 2, (e) => (e <= 14 ? 10 : 13.76)),
    rule: CODE_RULE,
    totalEpochs: 50,
    expected: stops(22, 10, 1.3008),
  },
  // Every epoch (report_freq_hessian 1): codeRule starts at 10 + 1 * 6 = 16. Step 1 -> 2 at 15.
  // e = 16: recent = entries 12..16 = epochs 12..16 = (3 + 2 * 2) / 5 = 1.4, past = epochs 6..10 = 1,
  // ratio 1.4: stop at entry 10 = epoch 10.
  {
    name: 'every epoch, codeRule({ evalEvery: 1 })',
    history: schedule(50, 1, (e) => (e <= 14 ? 1 : 2)),
    rule: codeRule({ evalEvery: 1 }),
    totalEpochs: 50,
    expected: stops(16, 10, 1.4),
  },
  // The same series under CODE_RULE (start 22): e = 22: recent = epochs 18..22 = 2, past = epochs
  // 14..18 = (1 + 4 * 2) / 5 = 1.8, ratio 1.11; later 1. No stop: the start epoch depends on the frequency.
  {
    name: 'every epoch, CODE_RULE starts too late',
    history: schedule(50, 1, (e) => (e <= 14 ? 1 : 2)),
    rule: CODE_RULE,
    totalEpochs: 50,
    expected: NO,
  },

  // PAPER_RULE: avg(i) = mean of the values at epochs i-4 .. i; stop when avg(i-5) / avg(i) < 0.75,
  // from epoch 9; return epoch i - 5.
  // Every epoch, 1 up to 11, 2 from 12. i = 12: avg(12) = epochs 8..12 = (4 + 2) / 5 = 1.2,
  // avg(7) = 1, ratio 0.833. i = 13: avg(13) = epochs 9..13 = (3 + 4) / 5 = 1.4, avg(8) = 1,
  // ratio 1 / 1.4 = 0.714 < 0.75: stop at 8.
  {
    name: 'paper rule, every epoch, step at 12',
    history: schedule(30, 1, (e) => (e <= 11 ? 1 : 2)),
    rule: PAPER_RULE,
    totalEpochs: 30,
    expected: stops(13, 8, 1 / 1.4),
  },
  // Exactly at 0.75: 3 up to epoch 4, 4 from 5. i = 9: avg(4) = epochs 0..4 = 3, avg(9) = epochs 5..9
  // = 4, ratio 0.75, not < 0.75; i = 10: avg(5) = (4 * 3 + 4) / 5 = 3.2, ratio 0.8; rising after.
  {
    name: 'paper rule, ratio exactly 0.75 does not fire',
    history: schedule(30, 1, (e) => (e <= 4 ? 3 : 4)),
    rule: PAPER_RULE,
    totalEpochs: 30,
    expected: NO,
  },
  // On the code's schedule (every 2 epochs): 1 up to 10, 3 from 12. i = 10: avg(10) = epochs 6,8,10
  // = 1, avg(5) = epochs 2,4 = 1. i = 12: avg(12) = epochs 8,10,12 = 5 / 3, avg(7) = epochs 4,6 = 1,
  // ratio 0.6 < 0.75: stop at 12 - 5 = 7, an epoch without an evaluation.
  {
    name: 'paper rule, every 2 epochs: stop epoch 7',
    history: schedule(50, 2, (e) => (e <= 10 ? 1 : 3)),
    rule: PAPER_RULE,
    totalEpochs: 50,
    expected: stops(12, 7, 0.6),
  },
];

describe('CODE_RULE, PAPER_RULE and codeRule', () => {
  it('state the code rule: 5-evaluation windows 2 and 6 evaluations back, > 1.3, from epoch 22', () => {
    assert.deepStrictEqual(
      { ...CODE_RULE },
      {
        name: 'code',
        unit: 'evaluations',
        windowBefore: 2,
        windowAfter: 2,
        recentLag: 2,
        pastLag: 6,
        comparison: 'recentOverPastAbove',
        factor: 1.3,
        startEpoch: 22,
      },
    );
    assert.deepStrictEqual(codeRule(), CODE_RULE);
  });

  it('state the paper wording: trailing 5-epoch averages 5 epochs apart, < 0.75', () => {
    assert.deepStrictEqual(
      { ...PAPER_RULE },
      {
        name: 'paper',
        unit: 'epochs',
        windowBefore: 4,
        windowAfter: 0,
        recentLag: 0,
        pastLag: 5,
        comparison: 'pastOverRecentBelow',
        factor: 0.75,
        startEpoch: 9,
      },
    );
  });

  it('are frozen', () => {
    assert.ok(Object.isFrozen(CODE_RULE));
    assert.ok(Object.isFrozen(PAPER_RULE));
    assert.ok(Object.isFrozen(codeRule({ factor: 1.5 })));
  });

  it('derive the start epoch from es_start_epoch, the frequency, the window and delta', () => {
    // es_start_epoch + report_freq_hessian * (floor(window / 2) + delta)
    assert.strictEqual(codeRule({ evalEvery: 1 }).startEpoch, 10 + 1 * (2 + 4));
    assert.strictEqual(codeRule({ evalEvery: 1 }).name, 'code evalEvery=1');
    assert.strictEqual(codeRule({ window: 7, delta: 2 }).startEpoch, 10 + 2 * (3 + 2));
    // An even window of 4: the last 4 values, labelled 2 back: positions c-1 .. c+2.
    const even = codeRule({ window: 4 });
    assert.deepStrictEqual([even.windowBefore, even.windowAfter, even.recentLag, even.pastLag, even.startEpoch], [1, 2, 2, 6, 22]);
  });

  it('reject bad options, naming them', () => {
    assert.throws(() => codeRule({ window: 0 }), /codeRule: options\.window must be a positive integer, got 0/);
    assert.throws(() => codeRule({ delta: 1.5 }), /options\.delta/);
    assert.throws(() => codeRule({ esStartEpoch: -1 }), /options\.esStartEpoch/);
    assert.throws(() => codeRule({ factor: Number.NaN }), /options\.factor/);
  });
});

describe('earlyStopDecision', () => {
  for (const c of CASES) {
    const firing = c.expected;
    if (!firing.stop) continue;
    it(`stops at the decision epoch worked out by hand: ${c.name}`, () => {
      const n = c.history.findIndex((h) => h.epoch === firing.decisionEpoch) + 1;
      assertDecision(earlyStopDecision(c.history.slice(0, n), c.rule, c.totalEpochs), firing, c.name);
    });
  }

  it('decides at the newest entry only, gated by the start epoch', () => {
    const history = schedule(50, 2, step);
    const upTo = (epoch: number) => history.filter((h) => h.epoch <= epoch);
    assert.deepStrictEqual(earlyStopDecision(upTo(20)), { stop: false });
    // Without the gate, e = 20: recent = epochs 12..20 = (1 + 1 + 3 * 2) / 5 = 1.6, past = epochs 4..12 = 1.
    assertDecision(earlyStopDecision(upTo(20), { ...CODE_RULE, startEpoch: 20 }), stops(20, 8, 1.6), 'e = 20');
    // e = 24: recent = epochs 16..24 = 2, past = epochs 8..16 = (4 + 2) / 5 = 1.2, ratio 5 / 3: stop at 12.
    assertDecision(earlyStopDecision(upTo(24)), stops(24, 12, 2 / 1.2), 'e = 24');
  });

  it('never stops at the last epoch when totalEpochs is given', () => {
    const history = schedule(23, 2, step);
    assertDecision(earlyStopDecision(history), stops(22, 10, 1.8), 'no totalEpochs');
    assert.deepStrictEqual(earlyStopDecision(history, CODE_RULE, 23), { stop: false });
  });

  it('does not stop before both averages exist', () => {
    // Start 0: at epoch 10 (entry 5) the past centre would be entry -1.
    const history = schedule(50, 2, (e) => (e < 8 ? 0.1 : 2)).filter((h) => h.epoch <= 10);
    assert.deepStrictEqual(earlyStopDecision(history, { ...CODE_RULE, startEpoch: 0 }), { stop: false });
    assert.deepStrictEqual(earlyStopDecision([{ epoch: 30, dominantEigenvalue: 1 }], PAPER_RULE), { stop: false });
  });

  it('rejects bad histories, naming the entry and field', () => {
    const ok = (epoch: number, dominantEigenvalue = 1) => ({ epoch, dominantEigenvalue });
    assert.throws(() => earlyStopDecision([]), /earlyStopDecision: history is empty/);
    assert.throws(
      () => earlyStopDecision([ok(0), ok(2), ok(2)]),
      /history\[2\]\.epoch \(2\) must be greater than history\[1\]\.epoch \(2\)/,
    );
    assert.throws(() => earlyStopDecision([ok(4), ok(2)]), /history\[1\]\.epoch/);
    assert.throws(() => earlyStopDecision([ok(0), ok(1.5)]), /history\[1\]\.epoch must be a non-negative integer, got 1.5/);
    assert.throws(() => earlyStopDecision([ok(-2)]), /history\[0\]\.epoch must be a non-negative integer/);
    assert.throws(() => earlyStopDecision([ok(0), ok(2, Number.NaN)]), /history\[1\]\.dominantEigenvalue must be a finite number, got NaN/);
    assert.throws(() => earlyStopDecision([ok(0, Number.POSITIVE_INFINITY)]), /history\[0\]\.dominantEigenvalue/);
    assert.throws(() => earlyStopDecision([ok(0), ok(50)], CODE_RULE, 50), /history\[1\]\.epoch \(50\) must be below totalEpochs \(50\)/);
    assert.throws(() => earlyStopDecision([ok(0)], CODE_RULE, 0), /totalEpochs must be a positive integer, got 0/);
    assert.throws(() => earlyStopDecision([ok(0)], CODE_RULE, 2.5), /totalEpochs/);
    assert.throws(() => earlyStopDecision(null as unknown as EigenvalueEntry[]), /history must be an array/);
  });

  it('rejects malformed rules, naming the field', () => {
    const h = [{ epoch: 0, dominantEigenvalue: 1 }];
    const bad = (patch: object) => ({ ...CODE_RULE, ...patch }) as EarlyStopRule;
    assert.throws(() => earlyStopDecision(h, bad({ factor: 0 })), /rule\.factor must be a positive number, got 0/);
    assert.throws(() => earlyStopDecision(h, bad({ factor: Number.NaN })), /rule\.factor/);
    assert.throws(() => earlyStopDecision(h, bad({ pastLag: 2 })), /rule\.pastLag \(2\) must be greater than rule\.recentLag \(2\)/);
    assert.throws(() => earlyStopDecision(h, bad({ windowBefore: -1 })), /rule\.windowBefore must be a non-negative integer/);
    assert.throws(() => earlyStopDecision(h, bad({ startEpoch: 1.5 })), /rule\.startEpoch/);
    assert.throws(() => earlyStopDecision(h, bad({ unit: 'days' })), /rule\.unit must be one of evaluations, epochs, got days/);
    assert.throws(() => earlyStopDecision(h, bad({ comparison: '>' })), /rule\.comparison/);
    assert.throws(() => earlyStopDecision(h, bad({ name: '' })), /rule\.name/);
  });
});

describe('firstEarlyStop', () => {
  for (const c of CASES) {
    it(`finds the hand-worked first stop: ${c.name}`, () => {
      assertDecision(firstEarlyStop(c.history, c.rule, c.totalEpochs), c.expected, c.name);
    });
  }

  it('equals deciding at every prefix in turn, on the table and on random series', () => {
    let state = 12345; // explicit seed of a small LCG
    const uniform = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const series: { history: EigenvalueEntry[]; totalEpochs: number }[] = [];
    for (let s = 0; s < 40; s++) {
      const totalEpochs = 20 + Math.floor(uniform() * 40);
      let v = 0.05 + uniform();
      series.push({ totalEpochs, history: schedule(totalEpochs, 1 + (s % 3), () => (v *= 0.85 + 0.4 * uniform())) });
    }
    const rules = [CODE_RULE, PAPER_RULE, codeRule({ evalEvery: 1, esStartEpoch: 0 }), codeRule({ window: 4, factor: 1.1 })];
    let fired = 0;
    for (const rule of rules) {
      for (const { history, totalEpochs } of [...CASES, ...series]) {
        for (const total of [totalEpochs, undefined]) {
          const first = firstEarlyStop(history, rule, total);
          assert.deepStrictEqual(first, scanPrefixes(history, rule, total));
          if (first.stop) fired++;
        }
      }
    }
    assert.ok(fired > 20, `only ${fired} series fired: the comparison is too weak`);
  });

  it('never stops on an empty history and checks its input', () => {
    assert.deepStrictEqual(firstEarlyStop([]), { stop: false });
    assert.throws(
      () =>
        firstEarlyStop([
          { epoch: 3, dominantEigenvalue: 1 },
          { epoch: 1, dominantEigenvalue: 1 },
        ]),
      /firstEarlyStop: history\[1\]\.epoch/,
    );
    assert.throws(() => firstEarlyStop([], { ...CODE_RULE, recentLag: 7 }), /firstEarlyStop: rule\.pastLag/);
  });
});
