/** The `satisfaction` config section, typed, with the defaults the schema fills in. */
import type { Config } from '../../pipelines/config/types.js';

export interface SatisfactionSettings {
  minSample: number;
  confidence: number;
  surveyWindowDays: number;
  csiWeights: { nps: number; csat: number; ces: number; service: number };
  sla: { firstResponseMinutes: Record<string, number>; firstResponseDefaultMinutes: number; resolutionHours: number };
  drivers: { windowDays: number; targets: ('nps' | 'csat' | 'ces')[] };
}

export const DEFAULT_SATISFACTION_SETTINGS: SatisfactionSettings = {
  minSample: 30,
  confidence: 0.95,
  surveyWindowDays: 365,
  csiWeights: { nps: 0.4, csat: 0.3, ces: 0.2, service: 0.1 },
  sla: { firstResponseMinutes: { chat: 15, phone: 15 }, firstResponseDefaultMinutes: 1440, resolutionHours: 24 },
  drivers: { windowDays: 365, targets: ['nps', 'csat', 'ces'] },
};

/** Settings from a loaded config; missing keys (a config built by hand in a test) take the defaults. */
export function satisfactionSettings(config: Pick<Config, 'satisfaction'> | undefined): SatisfactionSettings {
  const s = (config?.satisfaction ?? {}) as Partial<SatisfactionSettings>;
  const d = DEFAULT_SATISFACTION_SETTINGS;
  return {
    minSample: s.minSample ?? d.minSample,
    confidence: s.confidence ?? d.confidence,
    surveyWindowDays: s.surveyWindowDays ?? d.surveyWindowDays,
    csiWeights: { ...d.csiWeights, ...(s.csiWeights ?? {}) },
    sla: {
      firstResponseMinutes: s.sla?.firstResponseMinutes ?? d.sla.firstResponseMinutes,
      firstResponseDefaultMinutes: s.sla?.firstResponseDefaultMinutes ?? d.sla.firstResponseDefaultMinutes,
      resolutionHours: s.sla?.resolutionHours ?? d.sla.resolutionHours,
    },
    drivers: { ...d.drivers, ...(s.drivers ?? {}) },
  };
}
