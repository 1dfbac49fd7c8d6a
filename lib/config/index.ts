/** The `config` subpath of the package (docs/architecture.md): every export of lib/config. */
export * from './overrides_file';
export * from './preset';
export * from './presets';
export * from './schema';
export * from './search_config';
export * from './validation';
