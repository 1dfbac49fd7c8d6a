/**
 * The project-local Jupyter set-up: the tslab kernelspec lives in notebooks/.jupyter/kernels and
 * is found through JUPYTER_PATH, so nothing is installed outside the project. Its argv starts the
 * project's own tslab from the project root (via `{resource_dir}`), which lets every notebook
 * `import ... from './lib'`.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { packageRoot } from '../paths';

/** The kernelspec name that the notebooks' metadata refers to. */
export const KERNEL_NAME = 'rdarts-tslab';

/** The folder that JUPYTER_PATH must hold for Jupyter to find our kernelspec. */
export const jupyterDataDir: string = path.join(packageRoot, 'notebooks', '.jupyter');

/** The environment for a Jupyter process: ours first on JUPYTER_PATH, the rest kept. */
export function jupyterEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = process.env.JUPYTER_PATH ? [process.env.JUPYTER_PATH] : [];
  return { ...process.env, ...extra, JUPYTER_PATH: [jupyterDataDir, ...inherited].join(path.delimiter) };
}

/** True when `jupyter <sub> --version` runs. */
export function hasJupyterCommand(sub: string): boolean {
  const r = spawnSync('jupyter', [sub, '--version'], { stdio: 'ignore', env: jupyterEnv() });
  return r.status === 0;
}

/** What to install when a Jupyter command is missing. */
export const JUPYTER_HINT =
  "install Debian's jupyter-nbconvert, python3-nbclient and jupyter-notebook " +
  '(`bash .ci/setup` does it where apt is usable), or JupyterLab with pip';

/**
 * Opens JupyterLab where it is installed, else the classic Notebook, in notebooks/ with our
 * kernel available; returns the exit status.
 */
export function openJupyter(args: readonly string[] = []): number {
  const app = hasJupyterCommand('lab') ? 'lab' : hasJupyterCommand('notebook') ? 'notebook' : undefined;
  if (!app) throw new Error(`neither \`jupyter lab\` nor \`jupyter notebook\` is available: ${JUPYTER_HINT}`);
  // Jupyter refuses to start as root without this flag; containers and CI machines often are root.
  const root = process.getuid?.() === 0 && !args.includes('--allow-root') ? ['--allow-root'] : [];
  const r = spawnSync('jupyter', [app, ...root, ...args], {
    cwd: path.join(packageRoot, 'notebooks'),
    stdio: 'inherit',
    env: jupyterEnv(),
  });
  return r.status ?? 1;
}
