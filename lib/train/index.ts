/** The `train` subpath of the package (docs/architecture.md): every export of lib/train. */
export * from './aux_head';
export * from './cell';
export * from './evaluate_command';
export * from './genotype_check';
export * from './network';
export * from './train';
export * from './train_config';
export * from './lm_config';
export * from './lm_evaluate_command';
export * from './lm_train';
export * from './disparity_config';
export * from './disparity_evaluate_command';
export * from './disparity_train';
export * from './genotype_ref';
export * from './eval_files';
