import type { Command } from './commands.js';
import { runCommand } from './run-command.js';

/** Every CLI command; modules add theirs here. */
export const COMMANDS: Command[] = [runCommand];
