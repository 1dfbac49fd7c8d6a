import * as assert from 'assert';
import { slurmOptionsFrom } from '../../lib/cluster/slurm_cli';

describe('the Slurm flags of rdarts grid and experiment (lib/cluster/slurm_cli.ts)', () => {
  it('turns the flags into sbatch settings, integers checked digit by digit', () => {
    assert.deepStrictEqual(
      slurmOptionsFrom('grid', { slurm: true, time: '10', cpusPerTask: '2', maxParallel: '0x10', sbatch: ['--nice=5'] }),
      {
        time: '10',
        cpusPerTask: 2,
        maxParallel: NaN,
        extra: ['--nice=5'],
      },
    );
  });

  it('refuses flags that do not go together, naming the command', () => {
    assert.throws(() => slurmOptionsFrom('grid', { time: '10', requeue: true }), /^Error: --time, --requeue need\(s\) --slurm$/);
    assert.throws(
      () => slurmOptionsFrom('grid', { status: true, slurm: true }),
      /^Error: grid: --status runs nothing; leave out --slurm and --jobs$/,
    );
    assert.throws(() => slurmOptionsFrom('experiment', { status: true, jobs: '2' }), /^Error: experiment: --status runs nothing/);
    assert.throws(
      () => slurmOptionsFrom('experiment', { slurm: true, jobs: '2' }),
      /^Error: experiment: --jobs is for running here; with --slurm, --max-parallel/,
    );
    assert.deepStrictEqual(slurmOptionsFrom('grid', { jobs: '2' }), {});
  });
});
