#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { LOG_FORMATS, type LogFormat } from '../core/logger.js';
import { fromRoot } from '../core/paths.js';
import { isCxpError, toCxpError } from '../core/errors.js';
import type { Command } from './commands.js';
import { COMMANDS } from './command-list.js';

async function usage(): Promise<string> {
  const lines = ['usage: cxpulse <command> [options]', '', 'commands:'];
  for (const entry of COMMANDS) {
    const c = await entry.load();
    lines.push(`  ${c.usage}\n      ${c.summary}`);
  }
  lines.push(
    '',
    'common options: --config PATH (default ./cxpulse.config.json, else the demo data), --as-of YYYY-MM-DD, --debug,',
    '                --log-format text|json (json: one JSON object per log line on stderr)',
    'cxpulse --version prints the version',
  );
  return lines.join('\n') + '\n';
}

/** `cxpulse --version`: the package version and what it runs on. */
export function versionText(): string {
  const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string };
  return `cxpulse ${pkg.version} (node ${process.versions.node}, @duckdb/node-api ${duckdbVersion()})\n`;
}

function duckdbVersion(): string {
  try {
    const req = createRequire(import.meta.url);
    const entry = req.resolve('@duckdb/node-api');
    const pkgJson = join(entry.slice(0, entry.lastIndexOf(`${sep}@duckdb${sep}node-api${sep}`)), '@duckdb', 'node-api', 'package.json');
    return (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Takes `--log-format text|json` from anywhere in the arguments (every command accepts it) and hands it to
 * the loggers through CXPULSE_LOG_FORMAT; returns the other arguments, or an error message.
 */
export function takeLogFormat(argv: string[]): { rest: string[]; error?: string } {
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const inline = a.startsWith('--log-format=') ? a.slice('--log-format='.length) : undefined;
    if (a !== '--log-format' && inline === undefined) {
      rest.push(a);
      continue;
    }
    const v = inline ?? argv[++i];
    if (!LOG_FORMATS.includes(v as LogFormat)) return { rest, error: `--log-format "${v ?? ''}" is not one of ${LOG_FORMATS.join(', ')}` };
    process.env.CXPULSE_LOG_FORMAT = v;
  }
  return { rest };
}

export async function main(argv: string[]): Promise<number> {
  const taken = takeLogFormat(argv);
  if (taken.error) {
    process.stderr.write(`cxpulse: ${taken.error}\n`);
    return 2;
  }
  const [name, ...rest] = taken.rest;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(versionText());
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(await usage());
    return name ? 0 : 2;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`cxpulse: unknown command "${name}"\n${await usage()}`);
    return 2;
  }
  const command: Command = await entry.load();
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
