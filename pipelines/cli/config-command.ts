import { loadConfig } from '../config/load-config.js';
import type { Command } from './commands.js';

/** Prints the effective configuration: the file (or the demo config) validated, with every default filled in. */
export const configCommand: Command = {
  name: 'config',
  usage: 'cxpulse config [--config PATH]',
  summary: 'validate the configuration and print it with every default filled in (the full key reference)',
  options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  async action({ values }) {
    const cfg = loadConfig(values.config as string | undefined);
    process.stdout.write(`${JSON.stringify(cfg, null, 2)}\n`);
    process.stderr.write(`cxpulse config: ${cfg.configPath ?? 'built-in demo config'} is valid\n`);
    return 0;
  },
};
