/** The `nn` subpath of the package (docs/architecture.md): every export of lib/nn. */
export * from './basic';
export * from './batchnorm';
export * from './conv';
export * from './conv_ops';
export * from './drop_path';
export * from './factorized_reduce';
export * from './layouts';
export * from './lean';
export * from './loss';
export * from './model';
export * from './module';
export * from './ops';
export * from './optim';
export * from './pattern';
export * from './pool';
export * from './random';
