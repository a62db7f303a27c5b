import { createServer } from 'node:net';
import { CxpError } from '../core/errors.js';

/**
 * Fails before anything starts (no pipeline run, no scheduler) when the address the server will listen
 * on is taken, with a message a person can act on instead of a late `listen EADDRINUSE`.
 * Port 0 (any free port) always passes.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new CxpError('CXP_ERR_PORT_IN_USE', `port ${port} on ${host} is already in use by another process`, {
            where: '--port / server.port',
            hint: `stop the other process (\`lsof -i :${port}\` or \`ss -ltnp\` shows which), or start on another port: --port ${port === 65535 ? port - 1 : port + 1}`,
          }),
        );
      } else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' || err.code === 'EACCES') {
        reject(
          new CxpError('CXP_ERR_BAD_REQUEST', `cannot listen on ${host}:${port}: ${err.code}`, {
            where: '--host / server.host, --port / server.port',
            hint: err.code === 'EACCES' ? 'ports below 1024 need privileges: use a port from 1024 on' : 'give an address of this machine, e.g. 127.0.0.1',
          }),
        );
      } else reject(err);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
