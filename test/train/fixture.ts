/** The PyTorch fixture of the evaluation network (test/fixtures/make_eval_param_count.py). */
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot } from '../helpers';

export interface EvalFixtureConfig {
  readonly config: { C: number; layers: number; classes: number; in_channels: number; auxiliary: boolean };
  readonly num_params: number;
  readonly num_params_without_auxiliary: number;
  readonly num_state_dict_entries: number;
  readonly state_dict_sha256: string;
  readonly shapes?: Record<string, number[]>;
}

export interface EvalFixture {
  readonly configs: Record<'darts_v2_cifar10' | 'darts_v2_small', EvalFixtureConfig>;
  readonly aux_pool_7x7: number[][];
}

export const EVAL_FIXTURE: EvalFixture = JSON.parse(
  fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'eval_param_counts.json'), 'utf8'),
);
