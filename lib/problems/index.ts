/** The `problems` subpath of the package (docs/architecture.md): the registry of search problems. */
export * from './registry';
