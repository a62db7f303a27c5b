import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { CxpError } from '../core/errors.js';
import { parseIsoDate } from '../core/clock.js';
import { fromRoot } from '../core/paths.js';
import { isIanaZone } from '../core/time-zone.js';
import { plausibilityProblems } from '../sources/plausibility.js';
import { resolveSurveyScales, surveyScaleProblems } from '../sources/survey-scales.js';
import { configSchema, type SourceName } from './schema.js';
import { moduleProblems } from './sections.js';
import type { Config } from './types.js';
import { sourceProblems } from '../sources/source-options.js';
import { applyPresets } from '../sources/presets/apply-presets.js';

// ajv-formats ships CJS; under NodeNext its default export is the module object.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;

export const DEFAULT_CONFIG_FILE = 'cxpulse.config.json';

let validator: ReturnType<Ajv['compile']> | undefined;
function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    // optimize: false: the same checks without ajv's clean-up passes over the generated code, which took ~40% of
    // compiling this schema (~0.15 s CPU of every cxpulse process's start).
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, code: { optimize: false } });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    validator = ajv.compile(configSchema);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** `/sources/purchases/path` -> `sources.purchases.path`; names the offending key for each error. */
export function describeConfigError(e: ErrorObject): string {
  let key = e.instancePath.replace(/^\//, '').split('/').join('.') || '(top level)';
  let what = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    key = key === '(top level)' ? extra : `${key}.${extra}`;
    what = 'is not a known key (check the spelling; see README "Configuration")';
  } else if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    key = key === '(top level)' ? missing : `${key}.${missing}`;
    what = 'is required';
  } else if (e.keyword === 'enum') {
    what = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (e.keyword === 'format' && (e.params as { format: string }).format === 'date') {
    what = 'must be a date written YYYY-MM-DD';
  }
  return `${key}: ${what}`;
}

function invalid(problems: string[], where: string): CxpError {
  return new CxpError('CXP_ERR_CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, {
    where,
    problems,
    hint: 'fix the keys named above; README "Configuration" lists every key',
  });
}

/** Checks the rules a JSON schema cannot express; returns problems keyed like schema errors. */
function semanticProblems(cfg: Config): string[] {
  const out: string[] = [];
  if (cfg.asOf && !parseIsoDate(cfg.asOf)) out.push(`asOf: "${cfg.asOf}" is not a real date (YYYY-MM-DD)`);
  if (!isIanaZone(cfg.timezone)) out.push(`timezone: "${cfg.timezone}" is not an IANA time zone (e.g. "Europe/Riga", "Asia/Shanghai", "UTC")`);
  for (const [name, src] of Object.entries(cfg.sources)) {
    if (!src) continue;
    const d = src.delimiter;
    if (d !== undefined && d !== 'whitespace' && [...d].length !== 1 && d !== '\\t') {
      out.push(`sources.${name}.delimiter: must be one character or "whitespace", got ${JSON.stringify(d)}`);
    }
    if (src.header === false && !src.names) {
      out.push(`sources.${name}.names: is required when header is false (list the column names in order)`);
    }
    if (src.answerColumns && name !== 'surveys') {
      out.push(`sources.${name}.answerColumns: only the surveys source has answer columns`);
    }
    if (src.scales && name !== 'surveys') out.push(`sources.${name}.scales: only the surveys source has answer scales`);
    if (name === 'surveys') out.push(...surveyScaleProblems(src));
    for (const [key, zone] of [[`sources.${name}.timezone`, src.timezone]] as const) {
      if (zone !== undefined && !isIanaZone(zone)) out.push(`${key}: "${zone}" is not an IANA time zone (e.g. "Europe/Riga", "Asia/Shanghai", "UTC")`);
    }
    if (src.attributes && name !== 'customers') {
      out.push(`sources.${name}.attributes: only the customers source has attributes`);
    }
    const canonical = ['customer_id', 'signup_at', 'country', 'email', 'marketing_consent', 'churned_at', 'attributes'];
    for (const attr of Object.keys(src.attributes ?? {})) {
      if (canonical.includes(attr)) out.push(`sources.${name}.attributes.${attr}: "${attr}" is a canonical column; give the attribute another name`);
    }
    out.push(...sourceProblems(name, src));
    out.push(...plausibilityProblems(name as SourceName, src));
  }
  out.push(...moduleProblems(cfg));
  return out;
}

/** Resolves, validates and returns a config object (already parsed). `baseDir` anchors relative paths. */
export function resolveConfig(raw: unknown, baseDir: string, configPath?: string): Config {
  const where = configPath ?? 'built-in demo config';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(['(top level): must be a JSON object'], where);
  }
  const data = structuredClone(raw) as Record<string, unknown>;
  const errors = validate(data);
  if (errors.length > 0) throw invalid([...new Set(errors.map(describeConfigError))], where);
  const cfg = data as unknown as Config;
  // Presets fill in their mapping first: the checks below see the effective source config.
  const problems = [...applyPresets(cfg.sources), ...semanticProblems(cfg)];
  if (problems.length > 0) throw invalid(problems, where);
  const abs = (p: string) => (isAbsolute(p) || p === ':memory:' ? p : resolve(baseDir, p));
  cfg.configPath = configPath;
  cfg.baseDir = baseDir;
  cfg.warehouse = abs(cfg.warehouse);
  cfg.exports.dir = abs(cfg.exports.dir);
  // Printed by `cxpulse config` in full: every answer column with its range and no-answer codes.
  if (cfg.sources.surveys) cfg.sources.surveys.scales = resolveSurveyScales(cfg.sources.surveys);
  for (const src of Object.values(cfg.sources)) {
    if (!src) continue;
    if (src.path !== undefined) src.path = abs(src.path);
    // Naive timestamps of a source are wall-clock time in its declared zone, by default the company's.
    src.timezone ??= cfg.timezone;
  }
  return cfg;
}

/** The demo config: the checked-in sample data, warehouse and exports under var/ of the working folder. */
export function demoConfig(cwd = process.cwd()): Config {
  const raw = JSON.parse(readFileSync(fromRoot('data-samples', 'demo.config.json'), 'utf8')) as Record<string, unknown>;
  const cfg = resolveConfig(raw, fromRoot('data-samples'), undefined);
  cfg.warehouse = resolve(cwd, 'var/warehouse.duckdb');
  cfg.exports.dir = resolve(cwd, 'var/exports');
  return cfg;
}

/**
 * Loads the config: the given path, else ./cxpulse.config.json if present, else the demo config.
 * Returns which one was used so the CLI can say so.
 */
export function loadConfig(path?: string, cwd = process.cwd()): Config {
  const candidate = path ? resolve(cwd, path) : resolve(cwd, DEFAULT_CONFIG_FILE);
  if (!existsSync(candidate)) {
    if (path) {
      throw new CxpError('CXP_ERR_CONFIG_NOT_FOUND', `config file ${candidate} does not exist`, {
        where: '--config',
        hint: 'give the path of a cxpulse.config.json, or omit --config to run on the demo data',
      });
    }
    return demoConfig(cwd);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(candidate, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CxpError('CXP_ERR_CONFIG_INVALID', `config file is not valid JSON: ${(err as Error).message}`, {
      where: candidate,
      hint: 'check for trailing commas and unquoted keys',
    });
  }
  return resolveConfig(raw, dirname(candidate), candidate);
}
