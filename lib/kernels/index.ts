/** The `kernels` subpath of the package (docs/architecture.md): every export of lib/kernels. */
export * from './fused';
export * from './lean_backprop';
export * from './register';
export * from './registry';
export * from './wasm_module';
