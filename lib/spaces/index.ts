/** The `spaces` subpath of the package (docs/architecture.md): every export of lib/spaces. */
export * from './genotype';
export * from './primitives';
export * from './spaces';
export * from './topology';
export * from './nb201';
