/**
 * Config key `display`: how the dashboards show money. On the bottom floor (like `server`) because the
 * config loader and dashboards/ both read it.
 */
import { defineSettings, type SettingsSchema } from './settings.js';

export interface DisplayConfig {
  /** ISO 4217 code of the currency purchase amounts are in (the dashboards format money with it). */
  currency: string;
}

/** Config key `display`. Every property has a default, so `{}` is valid. */
export const displaySchema: SettingsSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'EUR', description: 'ISO 4217 code, e.g. EUR, USD, CNY' },
  },
};

export const DISPLAY_SETTINGS = defineSettings<DisplayConfig>(displaySchema);
