/**
 * A send that fails (no route to the gateway: ENETUNREACH) ends the request with that error
 * and nothing more: before, the resend timer kept running after the socket was closed and
 * its next send threw ERR_SOCKET_DGRAM_NOT_RUNNING, uncaught, ending the process with a stack
 * trace. Run in a network namespace of its own with no interface up, so no packet can leave.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { netnsUnavailableReason } from '../helpers/netns.js';

const unavailable = netnsUnavailableReason();
if (unavailable) console.log(`gateway request test skipped: ${unavailable}`);
const NS = `sw-${process.pid}-gwreq`;
const MODULE = fileURLToPath(new URL('../../dist/nat/gateway-request.js', import.meta.url));

describe.skipIf(unavailable !== undefined)('a gateway request whose send fails', () => {
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
  });

  it('rejects with the send error and leaves the process running (no throw from a later resend)', () => {
    execFileSync('ip', ['netns', 'add', NS]);
    const script = `
      const { gatewayRequest } = await import(${JSON.stringify(MODULE)});
      gatewayRequest('10.9.9.9', Buffer.alloc(2), () => undefined, () => new Error('no answer'), { maxSends: 4, firstWaitMs: 30 })
        .then(() => console.log('resolved'), (error) => console.log('rejected ' + (error.code ?? error.message)));
      // Past every resend the old code would have made (30 + 60 + 120 ms).
      setTimeout(() => console.log('alive'), 600);
    `;
    const run = spawnSync('ip', ['netns', 'exec', NS, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(['rejected ENETUNREACH', 'alive']);
  });
});
