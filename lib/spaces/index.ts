/** The `spaces` subpath of the package (docs/architecture.md): every export of lib/spaces. */
export * from './autodispnet';
export * from './genotype';
export * from './nb201';
export * from './primitives';
export * from './recurrent';
export * from './spaces';
export * from './topology';
