import type { Command } from './commands.js';

/**
 * Every CLI command, in the order `cxpulse help` lists them, each loaded only when it runs: `cxpulse run`
 * then never loads the web server, the dashboards or vega (about 2 s of start-up on a 2-core machine).
 */
export const COMMANDS: { name: string; load: () => Promise<Command> }[] = [
  { name: 'start', load: async () => (await import('./start-command.js')).startCommand },
  { name: 'run', load: async () => (await import('./run-command.js')).runCommand },
  { name: 'serve', load: async () => (await import('./serve-command.js')).serveCommand },
  { name: 'train', load: async () => (await import('./train-command.js')).trainCommand },
  { name: 'replay', load: async () => (await import('./replay-command.js')).replayCommand },
  { name: 'forget', load: async () => (await import('./forget-command.js')).forgetCommand },
  { name: 'config', load: async () => (await import('./config-command.js')).configCommand },
];
