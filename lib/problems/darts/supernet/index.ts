/** The DARTS search supernet (docs/method.md §2), part of the `problems/darts` subpath. */
export * from './cell';
export * from './mixed_op';
export * from './names';
export * from './network';
