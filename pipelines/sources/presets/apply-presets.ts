import type { SourceConfig } from '../../config/types.js';
import { PRESETS, type Preset } from './presets.js';

/**
 * Fills each source that names a `preset` with the preset's mapping: keys the user wrote win;
 * `columns`, `values` (per column) and `defaults` are merged key by key. Runs when the config is
 * loaded, so `cxpulse config` prints the effective mapping. Returns problems keyed like schema errors.
 */
export function applyPresets(sources: Record<string, SourceConfig | undefined>): string[] {
  const problems: string[] = [];
  for (const [name, src] of Object.entries(sources)) {
    if (!src?.preset) continue;
    const preset: Preset | undefined = PRESETS[src.preset];
    if (!preset) continue;
    if (preset.source !== name) {
      problems.push(`sources.${name}.preset: ${src.preset} is an export of ${preset.source}; use it under sources.${preset.source}`);
      continue;
    }
    const values: Record<string, Record<string, string>> = {};
    for (const col of new Set([...Object.keys(preset.values ?? {}), ...Object.keys(src.values ?? {})])) {
      values[col] = { ...(preset.values?.[col] ?? {}), ...(src.values?.[col] ?? {}) };
    }
    src.columns = { ...preset.columns, ...src.columns };
    src.defaults = { ...(preset.defaults ?? {}), ...src.defaults };
    if (Object.keys(values).length > 0) src.values = values;
    if (src.timestampFormat === undefined && preset.timestampFormat) src.timestampFormat = preset.timestampFormat;
    if (src.grain === undefined && preset.grain) src.grain = preset.grain;
    if (preset.scales) src.scales = { ...structuredClone(preset.scales), ...src.scales };
    for (const col of preset.userMaps ?? []) {
      if (!Object.hasOwn(src.columns, col)) {
        problems.push(`sources.${name}.columns.${col}: the ${src.preset} preset cannot know it; ${preset.notes[0]}`);
      }
    }
  }
  return problems;
}

/** What `cxpulse config` says about a source's preset: where it comes from and its limits. */
export function describePreset(name: string, src: SourceConfig): string[] {
  if (!src.preset) return [];
  const p = PRESETS[src.preset];
  return [`sources.${name}: preset ${src.preset}: ${p.description}`, ...p.notes.map((n) => `  - ${n}`)];
}
