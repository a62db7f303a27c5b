import type { FastifyPluginAsync } from 'fastify';

/**
 * Marks a plugin as not encapsulated, so its decorators and hooks reach sibling route plugins. This is
 * what `fastify-plugin` does; it is one line, so no extra dependency.
 */
export function global<T extends FastifyPluginAsync<never> | FastifyPluginAsync>(plugin: T): T {
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}
