/** The `notebooks` subpath of the package (docs/architecture.md): every export of lib/notebooks. */
export * from './jupyter';
export * from './run';
export * from './browser_check';
export * from './browser_run';
