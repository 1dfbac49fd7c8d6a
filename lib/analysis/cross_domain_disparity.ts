/**
 * The disparity part of the cross-domain notebook (docs/method.md §10): one row per AutoDispNet
 * search (its method, seed, final cells and their parameter-free share, the curvature columns of
 * ./cross_domain.ts, and the end-point error of its genotype trained from scratch, beside a
 * constant prediction's), the eigenvalue figure, and the findings table of ./cross_domain.ts on the
 * test EPE.
 */
import type { DisparityConfig } from '../problems/disparity/config';
import type { DisparityArchitectureRecord } from '../problems/disparity/problem';
import type { StoredRun } from '../runs/store';
import { formatAutoDispNetGenotype } from '../spaces/autodispnet';
import { parameterFreeCount, parameterFreeShare } from '../spaces/genotype';
import type { DisparityEvalFile } from '../train/disparity_train';
import { curvatureColumns, type CurvatureColumns, eigenFigure, type FindingMetric, loopMethod } from './cross_domain';
import { withAlphaWarmup } from './labels';
import type { Figure } from './figure_html';

export type StoredDisparityRun = StoredRun<DisparityConfig, DisparityArchitectureRecord>;

/** A disparity search and the evaluation of its final genotype (if made). */
export interface DisparityCrossDomainEntry {
  readonly name: string;
  readonly run: StoredDisparityRun;
  readonly evaluation?: DisparityEvalFile;
}

/**
 * The method of a disparity search, by its config against the preset's `base`: DARTS-ADA, DARTS-ES,
 * R-DARTS(L2) with its weight decay (the AutoDispNet analogue of the paper's L2 grid), or DARTS.
 */
export function disparityMethod(c: DisparityConfig, base: DisparityConfig): string {
  return withAlphaWarmup(loopMethod(c, base) ?? 'DARTS', c);
}

export interface DisparityCrossDomainRow extends CurvatureColumns {
  readonly name: string;
  readonly method: string;
  readonly seed: number;
  readonly genotype: string;
  /** Parameter-free share of the final genotype: all cells, and the upsampling cell alone. */
  readonly parameterFree: number;
  readonly upsampleParameterFree: number;
  /** The search network's validation EPE (px) at its last epoch. */
  readonly searchValidEpe: number;
  /** The final genotype trained from scratch, on the synthetic test split: EPE (px) and the share off by > 3 px. */
  readonly testEpe: number | null;
  readonly testOver3: number | null;
  /** A constant prediction's EPE on the same split: what the network must beat. */
  readonly constantEpe: number | null;
}

/** The rows of `entries`; `base` is the preset's config, which names the methods. */
export function disparityCrossDomainRows(entries: readonly DisparityCrossDomainEntry[], base: DisparityConfig): DisparityCrossDomainRow[] {
  return entries.map(({ name, run, evaluation }) => {
    const last = run.epochs[run.epochs.length - 1];
    // The run's own result: the final genotype, or DARTS-ES's where the run stopped on it.
    const g = run.genotype?.genotype ?? last.genotype;
    const synthetic = evaluation?.done?.synthetic ?? null;
    return {
      name,
      method: disparityMethod(run.config, base),
      seed: run.config.seed,
      ...curvatureColumns(run),
      genotype: formatAutoDispNetGenotype(g),
      parameterFree: parameterFreeShare(g),
      upsampleParameterFree: parameterFreeCount(g.upsample) / g.upsample.length,
      // The disparity records keep the EPE where the image ones keep the accuracy (lib/problems/disparity/problem.ts).
      searchValidEpe: last.valid.accuracy,
      testEpe: synthetic?.epe ?? null,
      testOver3: synthetic?.over3 ?? null,
      constantEpe: evaluation?.done?.constant.synthetic?.epe ?? null,
    };
  });
}

/** The findings' test result for disparity: the synthetic test EPE of the genotype trained from scratch. */
export const TEST_EPE: FindingMetric<DisparityCrossDomainRow> = {
  what: 'test EPE (px)',
  of: (r) => r.testEpe,
  format: (x) => x.toFixed(3),
  reference: { what: 'a constant prediction', of: (r) => r.constantEpe },
};

/** The eigenvalue over each disparity search, one trace per run, coloured by method. */
export function disparityEigenFigure(entries: readonly DisparityCrossDomainEntry[], base: DisparityConfig): Figure {
  return eigenFigure(
    entries.map((e) => ({ name: e.name, method: disparityMethod(e.run.config, base), seed: e.run.config.seed, epochs: e.run.epochs })),
    'Disparity: the dominant eigenvalue of the alphas Hessian over the search',
  );
}
