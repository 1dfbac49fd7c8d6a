/** The `bench` subpath of the package (docs/architecture.md): every export of lib/bench. */
export * from './hvp_steps';
export * from './profile';
export * from './search_bench';
export * from './pool_throughput';
