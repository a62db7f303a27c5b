import { CxpError } from '../core/errors.js';
import { loadConfig } from '../config/load-config.js';
import type { Command } from './commands.js';
import { configProblems } from './config-problems.js';

/**
 * Validates the configuration with every check a job or the server would run (config-problems.ts),
 * then prints it with every default filled in.
 */
export const configCommand: Command = {
  name: 'config',
  usage: 'cxpulse config [--config PATH]',
  summary: 'check the configuration as every job would (schema, rules, schedules, secrets, source files) and print it with every default filled in',
  options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  async action({ values }) {
    const cfg = loadConfig(values.config as string | undefined);
    const problems = await configProblems(cfg);
    const where = cfg.configPath ?? 'built-in demo config';
    if (problems.length > 0) {
      throw new CxpError('CXP_ERR_CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, {
        where,
        problems,
        hint: 'fix the keys named above; README "Configuration" lists every key',
      });
    }
    process.stdout.write(`${JSON.stringify(cfg, null, 2)}\n`);
    process.stderr.write(`cxpulse config: ${where} is valid\n`);
    return 0;
  },
};
