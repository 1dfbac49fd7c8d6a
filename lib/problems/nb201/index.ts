/** The `problems/nb201` subpath of the package (docs/architecture.md): every export of lib/problems/nb201. */
export * from './cell';
export * from './config';
export * from './problem';
export * from './supernet';
