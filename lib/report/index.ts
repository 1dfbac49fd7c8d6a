/** The `report` subpath of the package (docs/architecture.md): every export of lib/report. */
export * from './claims';
export * from './engine_note';
export * from './report';
