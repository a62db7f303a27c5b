#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { isCxpError, toCxpError } from '../core/errors.js';
import type { Command } from './commands.js';
import { COMMANDS } from './command-list.js';

function usage(): string {
  const lines = ['usage: cxpulse <command> [options]', '', 'commands:'];
  for (const c of COMMANDS) lines.push(`  ${c.usage}\n      ${c.summary}`);
  lines.push('', 'common options: --config PATH (default ./cxpulse.config.json, else the demo data), --as-of YYYY-MM-DD, --debug');
  return lines.join('\n') + '\n';
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`cxpulse: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`cxpulse ${name}: ${(err as Error).message}\nusage: ${command.usage}\n`);
    return 2;
  }
  if ((parsed.values as Record<string, unknown>).help) {
    process.stdout.write(`usage: ${command.usage}\n${command.summary}\n`);
    return 0;
  }
  try {
    return await command.action(parsed as Parameters<Command['action']>[0]);
  } catch (err) {
    const e = toCxpError(err);
    process.stderr.write(`cxpulse ${name}: ${e.toLine()}\n`);
    if (!isCxpError(err) && process.env.CXP_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}

// Run when executed directly (bin or node dist/...), not when imported by tests.
const invoked = process.argv[1] ?? '';
if (invoked.endsWith('/cli/main.js') || invoked.endsWith('/cli/main.ts') || invoked.endsWith('/cxpulse')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`cxpulse: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
