/** The `analysis` subpath of the package (docs/architecture.md): every export of lib/analysis. */
export * from './cell_svg';
export * from './curvature_attribution';
export * from './curvature_vs_error';
export * from './degeneration';
export * from './early_stop_tables';
export * from './edge_weights';
export * from './failure';
export * from './figures';
export * from './label_placement';
export * from './markdown';
export * from './op_share';
export * from './png';
export * from './regularisation';
export * from './seed_spread';
export * from './stats';
export * from './tables';
