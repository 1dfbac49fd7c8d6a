/** The `measurements` subpath of the package (docs/architecture.md): every export of lib/measurements. */
export * from './baseline_settings';
export * from './discretisation';
export * from './held_out';
export * from './seed_spread';
