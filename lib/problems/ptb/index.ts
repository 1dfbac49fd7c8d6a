/** The `problems/ptb` subpath of the package (docs/architecture.md): the language-modelling search in the DARTS recurrent space: config, data, search cell, network, model, problem, and the n-gram references of an evaluation. */
export * from './config';
export * from './data';
export * from './search_cell';
export * from './network';
export * from './model';
export * from './problem';
export * from './ngram';
