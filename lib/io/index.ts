/** The `io` subpath of the package (docs/architecture.md): every export of lib/io. */
export * from './atomic';
export * from './display';
