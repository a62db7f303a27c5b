import type { LockAdvice, LockHolder } from '../core/warehouse-lock.js';
import { CATALOG_FILE } from '../export/catalog.js';

/**
 * How a command could be done through the cxpulse server that holds the warehouse: the request, or
 * undefined when the server has no endpoint for it (then the only way is to stop the server).
 */
export type ServerRoute = (url: string) => string | undefined;

const post = (url: string, path: string, body?: string) =>
  `curl -X POST -H "Authorization: Bearer $ADMIN_KEY"${body ? ` -H "Content-Type: application/json" -d '${body}'` : ''} '${url}${path}'`;

/**
 * Routes of the server endpoints (dashboards/routes/jobs.ts, admin.ts), per command. `forget` has none on
 * purpose: erasure rewrites the warehouse file itself, which a running server cannot have open.
 */
export const SERVER_ROUTES = {
  run: (jobs: string[]): ServerRoute => (url) =>
    jobs.length === 0 ? post(url, '/api/jobs/all/run') : jobs.map((j) => post(url, `/api/jobs/${encodeURIComponent(j)}/run?wait=true`)).join(' && '),
  train: (asOf?: string): ServerRoute => (url) => post(url, '/api/churn/train', asOf ? JSON.stringify({ as_of: asOf }) : undefined),
  replay: (target: { actionId: string } | { dead: true }): ServerRoute => (url) =>
    post(url, '/api/actions/replay', JSON.stringify('dead' in target ? { dead: true } : { action_id: target.actionId })),
  none: (): ServerRoute => () => undefined,
};

/**
 * What to tell the user of `cxpulse <command>` when the warehouse is held: run it through the server
 * that holds it where an endpoint exists, else stop that server; for any other program (a BI tool, the
 * DuckDB CLI), close it, and point BI tools at the catalog, which stays readable while cxpulse runs.
 */
export function lockAdvice(command: string, route: ServerRoute, exportsDir: string): LockAdvice {
  return (h: LockHolder) => {
    const stop = h.pid !== undefined ? `stop it (Ctrl-C in its terminal, or kill ${h.pid})` : 'stop it';
    if (h.server) {
      const request = route(h.server.url);
      if (request) return `run it through that server instead, with an admin API key: ${request}; or ${stop} and run \`cxpulse ${command}\` again`;
      if (command === 'serve' || command === 'start') return `that server is already serving this warehouse: open ${h.server.url}/, or ${stop} first`;
      return `the server has no endpoint for \`cxpulse ${command}\`: ${stop}, run the command, then start the server again`;
    }
    if (h.isCxpulse) return `wait for that cxpulse command to finish, or ${stop}, then run \`cxpulse ${command}\` again`;
    const who = h.pid !== undefined ? `that program (PID ${h.pid})` : 'the program that has it open';
    return `close ${who} and run \`cxpulse ${command}\` again; BI tools and the DuckDB CLI should open ${exportsDir}/${CATALOG_FILE} (read-only), which stays readable while cxpulse runs`;
  };
}
