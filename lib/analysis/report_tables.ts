/**
 * The seam between the notebooks and the report: the name of every table a notebook writes
 * (`saveTable(t, TABLES.l2Grid)`), the row type each holds, the method labels the rows carry, and
 * the labels of the correlation's groups. The notebooks, the report and its claims
 * (lib/report/claims.ts) use these, so a renamed table or label, or a column the claims read that
 * the row type lacks, fails to compile instead of turning a verdict into "not measured yet". (The
 * CSV itself is read back untyped and cast: its columns come from the builders' rows.)
 */
import type { SeedSpreadRow } from '../measurements/seed_spread';
import type { CorrelationRow, CurvatureErrorRow, DiscretisationRow } from './curvature_vs_error';
import type { DegenerationRow } from './degeneration';
import type { EsTestErrorTableRow, ReplayRow } from './early_stop_tables';
import type { FailureSummaryRow, TestErrorRow } from './failure';
import type { GridRow, MethodRow } from './regularisation';

/** The tables the notebooks write, by notebook (files `<outputs>/tables/<name>.csv` and `.md`). */
export const TABLES = Object.freeze({
  softmaxTemperature: '00-softmax-temperature',
  failureSummary: '01-failure-summary',
  degeneration: '01-degeneration',
  pilot: '01-pilot',
  s3Main: '01-s3-main',
  s3MainClaims: '01-s3-main-claims',
  s3AlphaDrift: '01-s3-alpha-drift',
  testError: '01-test-error',
  seedSpread: '01-seed-spread',
  eigenvalueTestError: '02-eigenvalue-test-error',
  correlation: '02-correlation',
  discretisationDrop: '02-discretisation-drop',
  esTestError: '03-es-test-error',
  esReplay: '03-es-replay',
  l2Grid: '04-l2-grid',
  dpGrid: '04-dp-grid',
  methods: '04-methods',
  nb201Signature: '06-nb201-signature',
  nb201Claims: '06-nb201-claims',
  nb201Correlation: '06-nb201-correlation',
  nb201Random: '06-nb201-random',
  crossDomainLm: '05-cross-domain-lm',
  crossDomainFindings: '05-cross-domain-findings',
  crossDomainDisparity: '05-cross-domain-disparity',
  crossDomainDisparityFindings: '05-cross-domain-disparity-findings',
} as const);

/** A table's name. */
export type TableName = (typeof TABLES)[keyof typeof TABLES];

/** A row of 02-correlation: the statistics of one group of searches (`CORRELATION_GROUPS`). */
export interface CorrelationTableRow extends CorrelationRow {
  readonly searches: string;
}

/** The row type of each table that the report reads. */
export interface TableRows {
  '01-failure-summary': FailureSummaryRow;
  '01-degeneration': DegenerationRow;
  '01-test-error': TestErrorRow;
  '01-seed-spread': SeedSpreadRow;
  '02-eigenvalue-test-error': CurvatureErrorRow;
  '02-correlation': CorrelationTableRow;
  '02-discretisation-drop': DiscretisationRow;
  '03-es-test-error': EsTestErrorTableRow;
  '03-es-replay': ReplayRow;
  '04-l2-grid': GridRow;
  '04-dp-grid': GridRow;
  '04-methods': MethodRow;
}

/**
 * A row as read back from its CSV file: every column may be missing or blank (null), and numbers
 * and booleans come back as such (lib/report/claims.ts `csvTables`).
 */
export type CsvRow<R> = { readonly [K in keyof R]?: R[K] | null };

export { CORRELATION_GROUPS, correlationGroup, METHODS } from './labels';
export type { MethodName } from './labels';
