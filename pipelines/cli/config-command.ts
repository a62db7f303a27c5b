import { loadConfig } from '../config/load-config.js';
import type { Command } from './commands.js';
import { describePreset } from '../sources/presets/apply-presets.js';

/** Prints the effective configuration: the file (or the demo config) validated, with every default filled in. */
export const configCommand: Command = {
  name: 'config',
  usage: 'cxpulse config [--config PATH]',
  summary: 'validate the configuration and print it with every default filled in (the full key reference)',
  options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  async action({ values }) {
    const cfg = loadConfig(values.config as string | undefined);
    process.stdout.write(`${JSON.stringify(cfg, null, 2)}\n`);
    // The JSON above shows each preset's effective mapping; say where it came from and what it cannot do.
    for (const [name, src] of Object.entries(cfg.sources)) if (src) for (const line of describePreset(name, src)) process.stderr.write(`${line}\n`);
    process.stderr.write(`cxpulse config: ${cfg.configPath ?? 'built-in demo config'} is valid\n`);
    return 0;
  },
};
