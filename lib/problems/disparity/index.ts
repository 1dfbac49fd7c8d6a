/** The `problems/disparity` part of the package (docs/architecture.md): the disparity search in the AutoDispNet space. */
export * from './cells';
export * from './config';
export * from './data';
export * from './layers';
export * from './network';
export * from './ops';
export * from './problem';
