/** The `experiments` subpath of the package (docs/architecture.md): every export of lib/experiments. */
export * from './compare';
export * from './engine_audit';
export * from './engine_rerun';
export * from './evaluations';
export * from './grid';
export * from './pilot';
export * from './plan';
export * from './records';
export * from './cross_domain';
export * from './cross_domain_disparity';
export * from './ledger';
export * from './s3_main';
