/** The `problems/darts` subpath of the package (docs/architecture.md): every export of lib/problems/darts. */
export * from './problem';
export * from './run';
export * from './supernet/index';
