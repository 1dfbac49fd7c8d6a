/** The `runs` subpath of the package (docs/architecture.md): every export of lib/runs. */
export * from './checkpoint';
export * from './checkpoint_metadata';
export * from './compute_guard';
export * from './interrupt';
export * from './job';
export * from './lock';
export * from './records';
export * from './run_names';
export * from './run_read';
export * from './safetensors';
export * from './store';
export * from './slurm_jobs';
