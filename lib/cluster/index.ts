/** The `cluster` subpath of the package (docs/architecture.md): every export of lib/cluster. */
export * from './pool';
export * from './slurm_script';
export * from './slurm_submit';
export * from './task_status';
export * from './slurm_cli';
