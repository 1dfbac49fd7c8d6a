import * as assert from 'assert';
import {
  adaFigure,
  eigenvalueTrajectoryFigure,
  esCandidates,
  EsCandidate,
  esOutcome,
  EsRun,
  esSummary,
  esTestErrorTable,
  esTestErrors,
  neverFiredReason,
  NamedRun,
  formatL2,
  ratioSeries,
  replayRules,
  replayTable,
} from '../../lib/analysis/early_stop_tables';
import { ControllerDecision, eigenvalueHistory } from '../../lib/control/controller';
import { CODE_RULE, PAPER_RULE } from '../../lib/control/early_stop';
import { resolveConfig } from '../../lib/config/search_config';
import type { EpochRecord } from '../../lib/runs/records';
import { DARTS_V2, Genotype } from '../../lib/spaces/genotype';

/** A distinct genotype per epoch (normalConcat holds the epoch). */
const genotypeOf = (epoch: number): Genotype => ({ ...DARTS_V2, normalConcat: [epoch] });

/** A record with the fields read here: the eigenvalue at evaluated epochs (every 2 and the last), the L2 factor. */
function record(epoch: number, eigenvalue: number | undefined, l2 = 3e-4): EpochRecord {
  return {
    epoch,
    genotype: genotypeOf(epoch),
    regularization: { l2, dropPathProb: 0 },
    ...(eigenvalue === undefined ? {} : { hessian: { dominantEigenvalue: eigenvalue } }),
  } as unknown as EpochRecord;
}

/** A run of `epochs` epochs whose eigenvalue at evaluated epoch e is ev(e). */
function run(epochs: number, ev: (e: number) => number, decisions: ControllerDecision[] = [], space: 's1' | 's3' = 's3'): EsRun {
  const config = resolveConfig('smoke', { space, epochs, earlyStop: 'simulate' });
  const records = Array.from({ length: epochs }, (_, e) => record(e, e % 2 === 0 || e === epochs - 1 ? ev(e) : undefined));
  return { runId: `run-${space}-${epochs}`, dir: '/nowhere', config, epochs: records, decisions };
}

// 0.1 up to epoch 20, 1.0 from epoch 22 on. By hand, the code rule (evaluations every 2 epochs) at
// decision epoch 22 (position 11): recent = mean of positions 7..11 (epochs 14..22) = (4 x 0.1 + 1) / 5
// = 0.28; past = mean of positions 3..7 (epochs 6..14) = 0.1; ratio 2.8 > 1.3: stop epoch 10 (position 5).
// The paper's rule at 22: avg(22) = epochs 18..22 = (0.1 + 0.1 + 1) / 3 = 0.4, avg(17) = epochs 14, 16
// = 0.1; 0.1 / 0.4 = 0.25 < 0.75: stop epoch 17.
const jump = (e: number) => (e >= 22 ? 1 : 0.1);
const flat = () => 0.2;
const simulateAt22 = (r: EsRun): ControllerDecision => ({
  action: 'simulate',
  rule: 'code',
  decisionEpoch: 22,
  stopEpoch: 10,
  ratio: 2.8,
  genotype: r.epochs[10].genotype,
  l2: { before: 3e-4, after: 3e-4 },
});

describe('ratioSeries', () => {
  it('gives the ratio at every decision from the start epoch to the last but one evaluation', () => {
    const s = ratioSeries(eigenvalueHistory(run(50, flat).epochs), CODE_RULE, 50);
    assert.deepStrictEqual(
      s.map((r) => r.epoch),
      [22, 24, 26, 28, 30, 32, 34, 36, 38, 40, 42, 44, 46, 48],
    );
    for (const r of s) assert.ok(Math.abs(r.ratio - 1) < 1e-12);
  });

  it('matches the hand-computed ratios of a jump, for both comparisons', () => {
    const h = eigenvalueHistory(run(50, jump).epochs);
    assert.ok(Math.abs(ratioSeries(h, CODE_RULE, 50)[0].ratio - 2.8) < 1e-12);
    const paper = ratioSeries(h, PAPER_RULE, 50).find((r) => r.epoch === 22);
    assert.ok(paper && Math.abs(paper.ratio - 0.25) < 1e-12);
  });
});

describe('neverFiredReason', () => {
  it('says the rule cannot fire when the search ends before its start epoch (smoke: 2 epochs, quick: 10)', () => {
    const smoke = run(2, flat);
    assert.strictEqual(
      neverFiredReason(eigenvalueHistory(smoke.epochs), CODE_RULE, 2),
      'cannot fire before epoch 22 (the last decision epoch of this 2-epoch search is 0; none at the last epoch)',
    );
    assert.match(neverFiredReason(eigenvalueHistory(run(10, flat).epochs), CODE_RULE, 10), /before epoch 22 \(.* 10-epoch search is 8;/);
  });

  it('gives the closest approach to the factor when decisions were made', () => {
    assert.strictEqual(
      neverFiredReason(eigenvalueHistory(run(50, flat).epochs), CODE_RULE, 50),
      'did not fire: largest recent/past ratio 1.000 (epoch 22) <= 1.3',
    );
    assert.match(
      neverFiredReason(eigenvalueHistory(run(50, flat).epochs), PAPER_RULE, 50),
      /smallest past\/recent ratio 1\.000 .* >= 0\.75/,
    );
  });
});

describe('esOutcome', () => {
  it('returns the first decision and its genotype when the rule fired', () => {
    const r = run(50, jump);
    const fired = { ...r, decisions: [simulateAt22(r)] };
    const o = esOutcome(fired);
    assert.deepStrictEqual([o.fired, o.decisionEpoch, o.stopEpoch, o.epoch], [true, 22, 10, 10]);
    assert.strictEqual(o.genotype, r.epochs[10].genotype);
    assert.strictEqual(o.rule.startEpoch, 22);
  });

  it('falls back on the final genotype, saying why, when the rule never fired', () => {
    const r = run(2, flat);
    const o = esOutcome(r);
    assert.deepStrictEqual([o.fired, o.decisionEpoch, o.stopEpoch, o.epoch], [false, null, null, 1]);
    assert.strictEqual(o.genotype, r.epochs[1].genotype);
    assert.match(o.note, /^final genotype: the rule cannot fire before epoch 22 \(/);
  });

  it('throws, naming the run, on a run without epochs', () => {
    assert.throws(() => esOutcome({ ...run(2, flat), epochs: [] }), /esOutcome: run run-s3-2 has no epochs/);
  });
});

describe('eigenvalueTrajectoryFigure', () => {
  it('draws one line per run on a log axis and marks the decision and stop epochs of the runs that fired', () => {
    const r = run(50, jump);
    const runs: NamedRun[] = [
      { name: 'failure-s3', run: { ...r, decisions: [simulateAt22(r)] } },
      { name: 'failure-s1', run: run(50, flat, [], 's1') },
    ];
    const fig = eigenvalueTrajectoryFigure(runs);
    const traces = fig.data as {
      name: string;
      showlegend?: boolean;
      x: (number | null)[];
      y: (number | null)[];
      marker?: { symbol: string };
    }[];
    const band = "the original code's logs (S1, CIFAR-10): 0.15-0.18 at the start, 0.4-1.3 late";
    assert.deepStrictEqual(
      traces.map((t) => [t.name, t.showlegend ?? true]),
      [
        [band, true],
        ['failure-s3', true],
        ['failure-s3', false],
        ['failure-s3', false],
        ['failure-s1', true],
        ['DARTS-ES decision epoch', true],
        ['DARTS-ES stop epoch (genotype returned)', true],
      ],
    );
    // docs/method.md §3's magnitudes: over epochs 0-2, and over the last fifth of the search (39-49).
    assert.deepStrictEqual(
      [traces[0].x, traces[0].y],
      [
        [0, 2, 2, 0, 0, null, 39, 49, 49, 39, 39],
        [0.15, 0.15, 0.18, 0.18, 0.15, null, 0.4, 0.4, 1.3, 1.3, 0.4],
      ],
    );
    assert.strictEqual(traces[1].x.length, 26); // epochs 0, 2, ..., 48 and 49
    assert.deepStrictEqual([traces[2].x, traces[2].y, traces[2].marker?.symbol], [[22], [1], 'x']);
    assert.deepStrictEqual([traces[3].x, traces[3].y, traces[3].marker?.symbol], [[10], [0.1], 'circle-open']);
    const layout = fig.layout as { yaxis: { type: string; dtick?: string }; annotations: { text: string }[] };
    assert.deepStrictEqual([layout.yaxis.type, layout.yaxis.dtick], ['log', 'D2']); // 0.1 .. 1: ticks at 1, 2, 5 per decade
    assert.match(layout.annotations[0].text, /no DARTS-ES decision in 1 of 2 runs \(code rule decides from epoch 22\)/);
  });
});

describe('formatL2', () => {
  it('writes L2 factors short, without float noise', () => {
    assert.deepStrictEqual([0.0029999999999999996, 3e-4, 0.03, 0.0243, 0].map(formatL2), ['3e-3', '3e-4', '3e-2', '2.43e-2', '0']);
  });
});

describe('adaFigure', () => {
  it('draws the kept trajectory, each discarded segment dashed from its stop epoch, the rollback and the L2 in effect', () => {
    const before = run(50, jump);
    const discarded = before.epochs.slice(11, 23).map(({ seconds: _s, ...rest }) => rest);
    const decision: ControllerDecision = { ...simulateAt22(before), action: 'rollback', l2: { before: 3e-4, after: 3e-3 }, discarded };
    const kept = run(50, flat).epochs.map((r, e) => (e <= 10 ? before.epochs[e] : { ...r, regularization: { l2: 3e-3, dropPathProb: 0 } }));
    const fig = adaFigure({ name: 'ada-s3', run: { ...before, epochs: kept, decisions: [decision] } });
    const traces = fig.data as { name: string; x: number[]; y: number[]; line?: { dash?: string }; yaxis?: string }[];
    assert.deepStrictEqual(
      traces.map((t) => t.name),
      ['ada-s3: kept epochs', 'discarded by rollback 1 (L2 3e-4)', 'rollback decision', 'weights L2 factor in effect'],
    );
    assert.deepStrictEqual(traces[1].x, [10, 12, 14, 16, 18, 20, 22]);
    assert.deepStrictEqual(traces[1].y, [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 1]);
    assert.strictEqual(traces[1].line?.dash, 'dash');
    assert.deepStrictEqual([traces[2].x, traces[2].y], [[22], [1]]);
    assert.strictEqual(traces[3].yaxis, 'y2');
    assert.deepStrictEqual([traces[3].y[10], traces[3].y[11], traces[3].y.length], [3e-4, 3e-3, 50]);
    const layout = fig.layout as { shapes: { x0: number }[]; annotations: { text: string }[]; yaxis2: { tickvals: number[] } };
    assert.strictEqual(layout.shapes[0].x0, 10);
    assert.deepStrictEqual(
      layout.yaxis2.tickvals.map((v) => v.toPrecision(3)),
      ['0.000300', '0.00300', '0.0300'],
    );
    assert.strictEqual(layout.annotations[0].text, 'rollback 1: epoch 22 → 10, L2 3e-4 → 3e-3');
  });

  it('says so when there was no rollback', () => {
    const layout = adaFigure({ name: 'ada-s3', run: run(2, flat) }).layout as {
      annotations: { text: string }[];
      yaxis: { dtick?: string };
    };
    assert.strictEqual(layout.yaxis.dtick, undefined); // a narrow range keeps plotly's own ticks
    assert.match(layout.annotations[0].text, /^no rollback: the rule cannot fire before epoch 22/);
  });
});

describe('esCandidates', () => {
  it('lists DARTS and DARTS-ES per failure run and DARTS-ADA per ada run, with the genotype of the right epoch', () => {
    const r = run(50, jump);
    const c = esCandidates(
      [
        { name: 'failure-s3', run: { ...r, decisions: [simulateAt22(r)] } },
        { name: 'failure-s1', run: run(2, flat, [], 's1') },
      ],
      [{ name: 'ada-s3', run: run(2, flat) }],
    );
    assert.deepStrictEqual(
      c.map((x) => [x.run, x.method, x.space, x.epoch, x.esFired, x.sameAsDarts]),
      [
        ['failure-s3', 'DARTS', 's3', 49, null, null],
        ['failure-s3', 'DARTS-ES', 's3', 10, true, false],
        ['failure-s1', 'DARTS', 's1', 1, null, null],
        ['failure-s1', 'DARTS-ES', 's1', 1, false, true],
        ['ada-s3', 'DARTS-ADA', 's3', 1, null, false],
      ],
    );
    assert.strictEqual(c[1].genotype, r.epochs[10].genotype);
    assert.deepStrictEqual(c[1].source, { kind: 'run', runId: 'run-s3-50', dir: '/nowhere', epoch: 10 });
    assert.match(c[3].note, /^final genotype: the rule cannot fire/);
    assert.strictEqual(c[4].note, 'final genotype after 0 rollback(s)');
  });
});

describe('esTestErrors', () => {
  it('evaluates the candidates in order and keeps everything but the genotype', async () => {
    const c = esCandidates([{ name: 'failure-s1', run: run(2, flat, [], 's1') }]);
    const seen: EsCandidate[] = [];
    const rows = await esTestErrors(c, async (x) => (seen.push(x), seen.length / 10));
    assert.deepStrictEqual(seen, c);
    assert.deepStrictEqual(
      rows.map((r) => [r.method, r.testError, 'genotype' in r || 'source' in r]),
      [
        ['DARTS', 0.1, false],
        ['DARTS-ES', 0.2, false],
      ],
    );
    // As saved (03-es-test-error): the error in %, blank cells where a flag does not apply.
    const table = esTestErrorTable(rows);
    assert.deepStrictEqual(
      table.map((r) => [r.method, r.esFired, r.sameAsDarts, r.testErrorPct, 'testError' in r]),
      [
        ['DARTS', '', '', 10, false],
        ['DARTS-ES', false, true, 20, false],
      ],
    );
  });
});

describe('replayRules', () => {
  it('starts with the code rule at the given frequency and the paper rule, all names distinct', () => {
    const rules = replayRules(2);
    assert.deepStrictEqual(rules[0], CODE_RULE);
    assert.strictEqual(rules[1], PAPER_RULE);
    assert.strictEqual(new Set(rules.map((r) => r.name)).size, rules.length);
    assert.ok(rules.some((r) => r.name === 'code factor=1.1'));
    // The early-start variant can decide within a 10-epoch search: 0 + 2 x (1 + 2) = 6.
    assert.strictEqual(rules[rules.length - 1].startEpoch, 6);
  });
});

describe('replayTable', () => {
  it('replays every rule over every stored series, with the hand-computed stops and a reason for the others', () => {
    const rows = replayTable([
      { name: 'failure-s3', run: run(50, jump) },
      { name: 'failure-s1', run: run(10, flat, [], 's1') },
    ]);
    assert.strictEqual(rows.length, 2 * replayRules(2).length);
    const at = (runName: string, rule: string) => rows.find((r) => r.run === runName && r.rule === rule);
    assert.deepStrictEqual(at('failure-s3', 'code'), {
      run: 'failure-s3',
      space: 's3',
      epochs: 50,
      rule: 'code',
      startEpoch: 22,
      fired: true,
      decisionEpoch: 22,
      stopEpoch: 10,
      ratio: at('failure-s3', 'code')?.ratio,
      note: 'returns the genotype of epoch 10',
    });
    assert.ok(Math.abs((at('failure-s3', 'code')?.ratio ?? 0) - 2.8) < 1e-12);
    assert.deepStrictEqual([at('failure-s3', 'paper')?.decisionEpoch, at('failure-s3', 'paper')?.stopEpoch], [22, 17]);
    assert.match(at('failure-s1', 'code')?.note ?? '', /^cannot fire before epoch 22/);
    assert.match(at('failure-s1', 'code window=3 delta=2 esStartEpoch=0')?.note ?? '', /^did not fire: largest recent\/past ratio 1\.000/);
  });
});

describe('esSummary', () => {
  const row = (run: string, method: 'DARTS' | 'DARTS-ES' | 'DARTS-ADA', testError: number, esFired: boolean | null = null) => ({
    space: run.slice(-2),
    method,
    run,
    runId: 'x',
    epoch: 1,
    esFired,
    sameAsDarts: null,
    note: 'final genotype after 1 rollback(s)',
    testError,
  });

  it('counts firings, improvements and firing rules from the tables', () => {
    const s = esSummary(
      [
        row('failure-s3', 'DARTS', 0.3),
        row('failure-s3', 'DARTS-ES', 0.2, true),
        row('failure-s1', 'DARTS', 0.3),
        row('failure-s1', 'DARTS-ES', 0.3, false),
        row('ada-s3', 'DARTS-ADA', 0.25),
      ],
      replayTable([{ name: 'failure-s3', run: run(50, jump) }]),
    );
    assert.match(
      s,
      /^DARTS-ES fired in 1 of 2 searches; against DARTS's architecture, its test error was lower in 1, equal in 0 and higher in 0 of those 1 \(one evaluation each: read the differences against the seed range of notebook 01\)\./,
    );
    assert.match(s, /DARTS-ADA on S3: 25\.0% test error against DARTS's 30\.0% \(final genotype after 1 rollback\(s\)\)\./);
    assert.match(s, /Replayed over the 1 stored series, \d+ of 9 rules stop at least one: code \(1\), paper \(1\)/);
  });

  it('says when nothing fired', () => {
    const errors = [
      row('failure-s1', 'DARTS', 0.3),
      row('failure-s1', 'DARTS-ES', 0.3, false),
      row('failure-s2', 'DARTS', 0.4),
      row('failure-s2', 'DARTS-ES', 0.4, false),
    ];
    const s = esSummary(errors, replayTable([{ name: 'failure-s1', run: run(2, flat) }]));
    assert.strictEqual(
      s,
      "DARTS-ES fired in none of the 2 searches, so its architectures are DARTS's own. " +
        'None of the 9 replayed rules stops any of the 1 stored series.',
    );
  });
});
