/** The `hessian` subpath of the package (docs/architecture.md): every export of lib/hessian. */
export * from './alpha_loss';
export * from './eigen';
export * from './hvp';
export * from './track';
export * from './vec';
