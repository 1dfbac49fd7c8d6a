/**
 * The accuracy drop at discretisation (docs/method.md §3: low curvature, small drop): a run's
 * supernet against its genotype on the supernet's own weights, measured from the last checkpoint on
 * the alpha half, and kept beside the run (DISCRETISATION_FILE) so that the compact records the
 * report commits can stand in for the checkpoint. Notebook 02's rows and findings read it
 * (lib/analysis/curvature_vs_error.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../backend';
import { evalBatches, type Subset } from '../data/batches';
import type { Dataset } from '../data/dataset';
import { dataFingerprint } from '../data/fingerprint';
import { mixSeed, SEED_KEYS } from '../nn/random';
import type { StoredRun } from '../runs/run_read';
import { writeFileAtomic } from '../io/atomic';
import { loadCheckpoint } from '../runs/checkpoint';
import { createSearchState, disposeSearchState, searchData } from '../problems/darts/problem';
import { accuracy } from '../nn/loss';
import { genotype, type Genotype } from '../spaces/genotype';
import { getSpace } from '../spaces/spaces';
import type { SearchNetwork } from '../problems/darts/supernet/network';

/** The parts of a stored run read here. */
export type CurvatureRun = Pick<StoredRun, 'runId' | 'dir' | 'config' | 'epochs' | 'done' | 'genotype' | 'lastCheckpoint'>;

/** Accuracies (0..1) of the supernet and of a discrete architecture on the same images and weights. */
export interface DiscretisationAccuracy {
  /** The supernet: every op, weighted by softmax(alphas). */
  readonly supernet: number;
  /** The discrete architecture on the supernet's shared weights. */
  readonly discrete: number;
  /** supernet - discrete. */
  readonly drop: number;
  readonly images: number;
}

/**
 * The accuracy of `net` and of `architecture` on `net`'s weights over `subset` (in batches of
 * `batchSize`, in order), training-mode BN without updating the running statistics (file header);
 * `seed` fixes any noise op, the same draw for both. Tensors are disposed; `net` is not changed.
 */
export function discretisationAccuracy(
  net: SearchNetwork,
  architecture: Genotype,
  subset: Subset,
  batchSize: number,
  seed: number,
): DiscretisationAccuracy {
  let [supernet, discrete, images, b] = [0, 0, 0, 0];
  for (const batch of evalBatches(subset.dataset, batchSize, subset.start, subset.end)) {
    const n = batch.y.shape[0];
    try {
      tf.tidy(() => {
        const options = { training: true, updateRunningStats: false, seed: mixSeed(seed, b++) };
        // Counts of correct images (exact integers), not sums of batch means.
        supernet += Math.round(accuracy(net.forward(batch.x, options), batch.y) * n);
        discrete += Math.round(accuracy(net.forward(batch.x, { ...options, architecture }), batch.y) * n);
      });
    } finally {
      tf.dispose([batch.x, batch.y]);
    }
    images += n;
  }
  if (images === 0) throw new Error(`discretisationAccuracy: subset [${subset.start}, ${subset.end}) has no images`);
  return { supernet: supernet / images, discrete: discrete / images, drop: (supernet - discrete) / images, images };
}

/** Seed key of the noise draws of the drop, apart from the keys of the search (lib/search/loop.ts) and the baselines. */
const DROP_KEY = SEED_KEYS.discretisationDropPath;

/** The stored drop at discretisation of a run (DISCRETISATION_FILE in its directory). */
interface StoredDiscretisation extends DiscretisationAccuracy {
  readonly epoch: number;
  readonly architecture: Genotype;
  /** sha256 (12 hex digits) of the alpha half's images and labels: the data it was measured on. */
  readonly data: string;
}

/**
 * Where `checkpointDiscretisation` keeps its result: a few hundred bytes that stand in for the
 * checkpoint (about 1 MB at mini) in the compact run records that the report commits.
 */
export const DISCRETISATION_FILE = 'discretisation.json';

function readStoredDiscretisation(dir: string): StoredDiscretisation | undefined {
  const file = path.join(dir, DISCRETISATION_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as StoredDiscretisation;
  } catch (e) {
    throw new Error(`checkpointDiscretisation: ${file} is not JSON (${(e as Error).message}); remove it to measure again`, { cause: e });
  }
}

/**
 * `discretisationAccuracy` of a run's last checkpoint, loaded into a fresh search state, on its
 * alpha half: the architecture is the genotype of the checkpoint's alphas. `train` is the training
 * split (default: loaded from the run's data set). Returns the checkpoint's epoch beside it.
 * The result is stored in the run (DISCRETISATION_FILE) and read back when it was measured on the
 * same data at the same checkpoint epoch; so a run whose checkpoints are gone (the committed
 * records) still gives its drop.
 */
export function checkpointDiscretisation(
  run: CurvatureRun,
  options: { readonly train?: Dataset } = {},
): DiscretisationAccuracy & { readonly epoch: number; readonly architecture: Genotype } {
  const checkpoint = run.lastCheckpoint;
  const data = searchData(run.config, options.train);
  const fingerprint = dataFingerprint(data.split.val.dataset, data.split.val.start, data.split.val.end);
  const stored = readStoredDiscretisation(run.dir);
  // Without a checkpoint, only a drop measured at the run's last stored epoch stands for it.
  const expectedEpoch = checkpoint ? checkpoint.epoch : run.epochs.length - 1;
  if (stored && stored.data === fingerprint && stored.epoch === expectedEpoch) {
    const { data: _d, ...result } = stored;
    return result;
  }
  if (!checkpoint) {
    throw new Error(
      `checkpointDiscretisation: the run in ${run.dir} has no checkpoint` +
        (!stored
          ? ` and no ${DISCRETISATION_FILE}`
          : stored.data !== fingerprint
            ? ` and its ${DISCRETISATION_FILE} was measured on other data (${stored.data}, here ${fingerprint})`
            : ` and its ${DISCRETISATION_FILE} was measured at epoch ${stored.epoch}, not at the last stored epoch ${expectedEpoch}`),
    );
  }
  const state = createSearchState(run.config, data);
  try {
    loadCheckpoint(checkpoint.file, state);
    const { normal, reduce } = state.net.alphas;
    const architecture = genotype(
      { normal: normal.arraySync() as number[][], reduce: reduce.arraySync() as number[][] },
      getSpace(run.config.space),
    );
    const seed = mixSeed(run.config.seed, checkpoint.epoch, DROP_KEY);
    const result = {
      ...discretisationAccuracy(state.net, architecture, data.split.val, run.config.batchSize, seed),
      epoch: checkpoint.epoch,
      architecture,
    };
    const record: StoredDiscretisation = { ...result, data: fingerprint };
    writeFileAtomic(path.join(run.dir, DISCRETISATION_FILE), `${JSON.stringify(record, null, 1)}\n`);
    return result;
  } finally {
    disposeSearchState(state);
  }
}
