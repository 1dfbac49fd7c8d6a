/**
 * Preset names. A preset scales every experiment at once: `smoke` (seconds, for tests), `quick`
 * (the main job and the default notebook run: minutes on 2 cores), `mini` (the scaled-down
 * reproduction: hours here), `paper` (docs/method.md's settings, for a GPU).
 */
export const PRESETS = ['smoke', 'quick', 'mini', 'paper'] as const;
export type PresetName = (typeof PRESETS)[number];

/** Checks a preset name; `source` says where it came from, for the error message. */
export function parsePreset(value: string, source = 'preset'): PresetName {
  if ((PRESETS as readonly string[]).includes(value)) return value as PresetName;
  throw new Error(`${source}=${JSON.stringify(value)} is not a preset; use one of ${PRESETS.join(', ')}`);
}

/** The preset from `RDARTS_PRESET`, `quick` when unset. */
export function presetFromEnv(env: NodeJS.ProcessEnv = process.env): PresetName {
  const value = env.RDARTS_PRESET;
  return value === undefined || value === '' ? 'quick' : parsePreset(value, 'RDARTS_PRESET');
}
