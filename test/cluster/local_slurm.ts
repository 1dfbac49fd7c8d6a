/**
 * A real one-node Slurm on localhost for the tests: munged, slurmctld and slurmd from Debian's
 * `slurm-wlm` and `munge`, started in a temporary folder with a config of their own (free ports,
 * no systemd, no accounting database) and stopped by their pid files. Needs root (the daemons run
 * as root; munged as the munge user) and the packages (.ci/setup installs them where apt works).
 * `unavailable()` says why Slurm cannot start here, or undefined.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export interface LocalSlurm {
  /** Environment for sbatch, squeue, scancel and the tasks (SLURM_CONF). */
  readonly env: NodeJS.ProcessEnv;
  readonly dir: string;
  /** The daemons' logs, for a failing test's message. */
  logs(): string;
  stop(): Promise<void>;
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Why a local Slurm cannot start here (undefined: it can). */
export function unavailable(): string | undefined {
  const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scancel', 'runuser'].filter((c) => !has(c));
  if (missing.length > 0) return `not installed: ${missing.join(', ')} (Debian packages slurm-wlm and munge; .ci/setup installs them)`;
  if (process.getuid?.() !== 0) return 'the test starts slurmd and munged, which needs root';
  if (!fs.existsSync('/etc/munge/munge.key')) return '/etc/munge/munge.key is missing (the munge package creates it)';
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`local Slurm: timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Starts munged, slurmctld and slurmd (file header); resolves once the node is idle. */
export async function startLocalSlurm(): Promise<LocalSlurm> {
  const why = unavailable();
  if (why) throw new Error(`cannot start a local Slurm: ${why}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rdarts-slurm-'));
  fs.chmodSync(dir, 0o755);
  const munge = path.join(dir, 'munge');
  for (const d of [munge, path.join(dir, 'state'), path.join(dir, 'spool')]) fs.mkdirSync(d, { recursive: true });
  execFileSync('chown', ['munge:munge', munge]);
  fs.chmodSync(munge, 0o755);
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const cpus = os.cpus().length;
  const conf = path.join(dir, 'slurm.conf');
  fs.writeFileSync(
    conf,
    [
      'ClusterName=rdarts-test',
      'SlurmctldHost=localhost',
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${munge}/munge.socket.2`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/slurmctld.log`,
      `SlurmdLogFile=${dir}/slurmd.log`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'SchedulerType=sched/backfill',
      'SwitchType=switch/none',
      'MpiDefault=none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'MailProg=/bin/true',
      'SchedulerParameters=batch_sched_delay=0',
      'ReturnToService=2',
      'SlurmctldTimeout=30',
      'SlurmdTimeout=30',
      'KillWait=10',
      `NodeName=localhost NodeAddr=127.0.0.1 CPUs=${cpus} Sockets=1 CoresPerSocket=${cpus} ThreadsPerCore=1 RealMemory=1000 State=UNKNOWN`,
      'PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const pidFiles = [path.join(dir, 'slurmd.pid'), path.join(dir, 'slurmctld.pid'), path.join(munge, 'munged.pid')];
  const logFiles = [path.join(dir, 'slurmctld.log'), path.join(dir, 'slurmd.log'), path.join(munge, 'munged.log')];
  const logs = () =>
    logFiles
      .filter((f) => fs.existsSync(f))
      .map((f) => `--- ${path.basename(f)}\n${fs.readFileSync(f, 'utf8').split('\n').slice(-20).join('\n')}`)
      .join('\n');
  const stop = async () => {
    for (const file of pidFiles) {
      if (!fs.existsSync(file)) continue;
      try {
        process.kill(Number(fs.readFileSync(file, 'utf8').trim()), 'SIGTERM');
      } catch {
        // already gone
      }
      // A daemon removes its pid file as it exits (kill -0 would succeed on its zombie).
      await until(`${path.basename(file)} to go`, () => !fs.existsSync(file), 15_000).catch(() => undefined);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const run = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr}`);
    };
    run('runuser', [
      '-u',
      'munge',
      '--',
      'munged',
      `--socket=${munge}/munge.socket.2`,
      `--pid-file=${munge}/munged.pid`,
      `--log-file=${munge}/munged.log`,
      `--seed-file=${munge}/munged.seed`,
    ]);
    run('slurmctld', ['-c']);
    run('slurmd', ['-N', 'localhost']);
    await until(
      'the node to be idle',
      () => spawnSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8' }).stdout.trim() === 'idle',
      30_000,
    );
  } catch (e) {
    const text = `${(e as Error).message}\n${logs()}`;
    await stop();
    throw new Error(text, { cause: e });
  }
  return { env, dir, logs, stop };
}
