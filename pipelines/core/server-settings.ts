/**
 * Config key `server` (the API and dashboards server): schema with defaults, type and reader. It sits on
 * the bottom floor because both the config loader and dashboards/ (which may import only
 * pipelines/core) read it.
 */
import { defineSettings, type SettingsSchema } from './settings.js';

/** One API key as stored in config: never the key itself, only its SHA-256 (hex). */
export interface ApiKeyConfig {
  name: string;
  role: 'viewer' | 'marketing' | 'admin';
  keyHash: string;
}

/** The `server` section, after defaults. */
export interface ServerConfig {
  host: string;
  port: number;
  /** Hashed keys; `CXPULSE_API_KEYS` (JSON list of the same shape) adds to these. */
  apiKeys: ApiKeyConfig[];
  /** Max request body, bytes. */
  bodyLimit: number;
  /**
   * Requests per client address per window on the list/export routes; `failedKeyMax`: refused API keys
   * (bad or missing) per client address per window before every keyed request from it gets 429.
   */
  rateLimit: { max: number; timeWindowMs: number; failedKeyMax: number };
  /** Origins allowed to call the API from a browser; empty = same origin only. */
  cors: { origins: string[] };
  /** Data older than this (hours since the last successful run) is marked stale. */
  staleAfterHours: number;
  /** Seconds a dashboard response may be reused while the data has not changed. */
  cacheSeconds: number;
}

export const ROLES = ['viewer', 'marketing', 'admin'] as const;

/** Config key `server`. Every property has a default, so `{}` is valid. */
export const serverSchema: SettingsSchema = {
  type: 'object',
  default: {},
  additionalProperties: false,
  properties: {
    host: { type: 'string', minLength: 1, default: '127.0.0.1' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    apiKeys: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'role', 'keyHash'],
        properties: {
          name: { type: 'string', minLength: 1 },
          role: { type: 'string', enum: [...ROLES] },
          keyHash: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: 'sha256 of the key, hex' },
        },
      },
    },
    bodyLimit: { type: 'integer', minimum: 1024, default: 65536 },
    rateLimit: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: {
        max: { type: 'integer', minimum: 1, default: 120 },
        timeWindowMs: { type: 'integer', minimum: 1000, default: 60000 },
        failedKeyMax: { type: 'integer', minimum: 1, default: 30 },
      },
    },
    cors: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: { origins: { type: 'array', items: { type: 'string', minLength: 1 }, default: [] } },
    },
    staleAfterHours: { type: 'number', exclusiveMinimum: 0, default: 26 },
    cacheSeconds: { type: 'number', minimum: 0, default: 30 },
  },
};

export const SERVER_SETTINGS = defineSettings<ServerConfig>(serverSchema);

/** The server section with defaults filled in (the loader already applied them; this covers hand-built configs). */
export function serverConfigOf(section: unknown): ServerConfig {
  return SERVER_SETTINGS.read(section);
}
