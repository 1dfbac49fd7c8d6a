/** The `problems/ptb` subpath of the package (docs/architecture.md): the DARTS recurrent space's search cell, the start of the language-modelling problem. */
export * from './search_cell';
export * from './network';
