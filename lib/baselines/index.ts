/** The `baselines` subpath of the package (docs/architecture.md): every export of lib/baselines. */
export * from './random_search';
export * from './proxy_random_search';
export * from './rs_ws';
export * from './rs_ws_spaces';
export * from './sample';
export * from './store';
