/** The `data` subpath of the package (docs/architecture.md): every export of lib/data. */
export * from './augment';
export * from './batches';
export * from './cifar';
export * from './cifar10_jpeg';
export * from './dataset';
export * from './fetch';
export * from './files';
export * from './fingerprint';
export * from './idx';
export * from './image_folder';
export * from './mat';
export * from './nb201_table';
export * from './ptb';
export * from './registry';
export * from './svhn';
export * from './synthetic_corpus';
export * from './tar';
