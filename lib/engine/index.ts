/** The `engine` subpath of the package (docs/architecture.md): every export of lib/engine. */
export * from './differential';
