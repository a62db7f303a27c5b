import { CxpError } from '../core/errors.js';
import { loadConfig } from '../config/load-config.js';
import { configSchema } from '../config/schema.js';

/** The config file's JSON Schema as editors read it (completion, hover text from each key's description). */
export function publishedConfigSchema(): Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://cxpulse.invalid/cxpulse.config.schema.json',
    title: 'cxpulse configuration (cxpulse.config.json)',
    ...(configSchema as Record<string, unknown>),
  };
}
import type { Command } from './commands.js';
import { describePreset } from '../sources/presets/apply-presets.js';
import { configProblems } from './config-problems.js';

/**
 * Validates the configuration with every check a job or the server would run (config-problems.ts),
 * then prints it with every default filled in.
 */
export const configCommand: Command = {
  name: 'config',
  usage: 'cxpulse config [--config PATH] | cxpulse config --schema',
  summary: 'check the configuration as every job would (schema, rules, schedules, secrets, source files) and print it with every default filled in',
  options: { config: { type: 'string', short: 'c' }, schema: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  async action({ values }) {
    if (values.schema) {
      // For editors: save it and point the config's "$schema" key at the file (README "Configuration").
      process.stdout.write(`${JSON.stringify(publishedConfigSchema(), null, 2)}\n`);
      return 0;
    }
    const cfg = loadConfig(values.config as string | undefined);
    const problems = await configProblems(cfg);
    const where = cfg.configPath ?? 'built-in demo config';
    if (problems.length > 0) {
      throw new CxpError('CXP_ERR_CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, {
        where,
        problems,
        hint: 'fix the keys named above; `cxpulse config --schema` lists every key (README "Configuration")',
      });
    }
    process.stdout.write(`${JSON.stringify(cfg, null, 2)}\n`);
    // The JSON above shows each preset's effective mapping; say where it came from and what it cannot do.
    for (const [name, src] of Object.entries(cfg.sources)) if (src) for (const line of describePreset(name, src)) process.stderr.write(`${line}\n`);
    process.stderr.write(`cxpulse config: ${where} is valid\n`);
    return 0;
  },
};
