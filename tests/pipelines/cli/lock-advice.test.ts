import { describe, expect, it } from 'vitest';
import { lockAdvice, SERVER_ROUTES } from '../../../pipelines/cli/lock-advice.js';

const server = { pid: 77, url: 'http://127.0.0.1:3000', started_at: '' };

describe('lock advice', () => {
  it('points to the server endpoint of the command when a cxpulse server holds the warehouse', () => {
    expect(lockAdvice('run', SERVER_ROUTES.run([]), '/e')({ pid: 77, server, isCxpulse: true })).toContain(`'http://127.0.0.1:3000/api/jobs/all/run'`);
    expect(lockAdvice('run score', SERVER_ROUTES.run(['score']), '/e')({ pid: 77, server, isCxpulse: true })).toContain('/api/jobs/score/run?wait=true');
    expect(lockAdvice('train', SERVER_ROUTES.train('2026-06-30'), '/e')({ pid: 77, server, isCxpulse: true })).toContain(`-d '{"as_of":"2026-06-30"}'`);
    expect(lockAdvice('replay --dead', SERVER_ROUTES.replay({ dead: true }), '/e')({ pid: 77, server, isCxpulse: true })).toContain('/api/actions/replay');
  });

  it('without an endpoint, says to stop the server; a second server is told where the first one is', () => {
    expect(lockAdvice('serve', SERVER_ROUTES.none(), '/e')({ pid: 77, server, isCxpulse: true })).toBe('that server is already serving this warehouse: open http://127.0.0.1:3000/, or stop it (Ctrl-C in its terminal, or kill 77) first');
    const forget = lockAdvice('forget c1', SERVER_ROUTES.none(), '/e')({ pid: 77, server, isCxpulse: true });
    expect(forget).toBe('the server has no endpoint for `cxpulse forget c1`: stop it (Ctrl-C in its terminal, or kill 77), run the command, then start the server again');
  });

  it('for another program, says to close it and points BI tools at the catalog, never at an endpoint', () => {
    const text = lockAdvice('run', SERVER_ROUTES.run([]), '/e')({ pid: 5, program: '/usr/bin/duckdb', isCxpulse: false });
    expect(text).toContain('close that program (PID 5)');
    expect(text).toContain('/e/cxpulse.duckdb');
    expect(text).not.toMatch(/api/);
    expect(lockAdvice('run', SERVER_ROUTES.run([]), '/e')({ pid: 5, isCxpulse: true })).toMatch(/wait for that cxpulse command/);
  });
});
