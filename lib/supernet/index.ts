/** The `supernet` subpath of the package (docs/architecture.md): every export of lib/supernet. */
export * from './cell';
export * from './mixed_op';
export * from './names';
export * from './network';
