/**
 * Read-only mode: with RDARTS_NO_COMPUTE=1 (set by `rdarts notebooks` at mini and paper), a call
 * that would start or resume a search, an evaluation or a baseline throws instead, naming what is
 * missing and the command that computes it. So rebuilding the report's tables and figures never
 * silently starts hours of work; finished results are read back as usual. Seconds of forward passes
 * still run where a notebook measures a finished run (the drop at discretisation, random search's
 * held-out accuracy) and their results are stored beside it (discretisation.json, held_out.json).
 */

export const NO_COMPUTE_ENV = 'RDARTS_NO_COMPUTE';

/** Whether the environment asks for read-only mode. */
export function computeDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[NO_COMPUTE_ENV];
  return v !== undefined && v !== '' && v !== '0';
}

/** Throws in read-only mode: `what` is missing or unfinished; `hint` says how to compute it. */
export function assertMayCompute(what: string, hint: string, env: NodeJS.ProcessEnv = process.env): void {
  if (computeDisabled(env)) throw new Error(`${what} is not finished and ${NO_COMPUTE_ENV} is set (read-only); ${hint}`);
}
