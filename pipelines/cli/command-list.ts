import type { Command } from './commands.js';
import { configCommand } from './config-command.js';
import { forgetCommand } from './forget-command.js';
import { replayCommand } from './replay-command.js';
import { runCommand } from './run-command.js';
import { serveCommand } from './serve-command.js';
import { startCommand } from './start-command.js';
import { trainCommand } from './train-command.js';

/** Every CLI command, in the order `cxpulse help` lists them. */
export const COMMANDS: Command[] = [startCommand, runCommand, serveCommand, trainCommand, replayCommand, forgetCommand, configCommand];
