/** A CLI command: its name, one-line help, its options for node:util parseArgs, and its action. */
export interface Command {
  name: string;
  usage: string;
  summary: string;
  options?: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
  /** Returns the exit code. */
  action(args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }): Promise<number>;
}

export const COMMON_OPTIONS = {
  config: { type: 'string' as const, short: 'c' },
  'as-of': { type: 'string' as const },
  debug: { type: 'boolean' as const },
  help: { type: 'boolean' as const, short: 'h' },
};
