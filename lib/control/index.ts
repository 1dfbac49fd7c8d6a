/** The `control` subpath of the package (docs/architecture.md): every export of lib/control. */
export * from './controller';
export * from './early_stop';
export * from './select';
