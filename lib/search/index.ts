/** The `search` subpath of the package (docs/architecture.md): every export of lib/search. */
export * from './loop';
export * from './image_data';
export * from './problem';
export * from './progress';
export * from './run';
export * from './step';
