/**
 * Refusals are visible: a real `swarm share` (or `swarm chat`) tells its user, once a minute
 * per key, that a key it does not trust tried to connect, with the exact command that would
 * let it in; and says once that its trust file became unreadable while running.
 * Ordering trick: the trust-file report is written after the refusals on the same stream,
 * so waiting for it means every refusal line that was going to appear already has.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fingerprint, decodeKeyText } from '../../src/identity/key-text.js';
import { TRUST_FILE } from '../../src/identity/trust-store.js';
import { makePeople, startChat } from '../chat/helpers/chat-world.js';
import { runCli } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, type TestUser } from '../share/cli-peers.js';

const GET_ATTEMPTS = 3;

function refusalLine(key: string): string {
  return `refused ${fingerprint(decodeKeyText(key))} from 127.0.0.1: not trusted — to allow: swarm trust add ${key}`;
}

/** An untrusted getter tries GET_ATTEMPTS times; each attempt is a real `swarm get` that fails. */
async function untrustedGets(getter: TestUser, magnet: string, dir: string): Promise<void> {
  for (let i = 0; i < GET_ATTEMPTS; i++) {
    const result = await runCli(['get', magnet, '-o', join(dir, `out-${i}`), '--host', '127.0.0.1'], { home: getter.home, timeoutMs: 40_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/could not fetch from any peer/);
  }
}

/** Makes the sharer's trust file unparseable while it runs. */
function damageTrustFile(home: string): void {
  writeFileSync(join(home, TRUST_FILE), '{ this is not json');
}

function occurrences(text: string, line: string): number {
  return text.split('\n').filter((l) => l === line).length;
}

describe('refusals are visible', () => {
  it('swarm share prints one line per refused key per minute, with the trust command, and a damaged trust file once', async () => {
    const [alice, mallory] = makeUsers(['alice', 'mallory'], (a) => a === 'mallory'); // mallory trusts alice, not vice versa
    const dir = tempDir();
    writeFileSync(join(dir, 'secret.bin'), randomBytes(100_000));
    const sharer = new CliProcess(['share', join(dir, 'secret.bin'), '--host', '127.0.0.1', '--port', '0'], { home: alice!.home });
    const magnet = await sharer.waitForLine(/^magnet:\?/, 30_000);
    await untrustedGets(mallory!, magnet, dir);

    damageTrustFile(alice!.home);
    await sharer.waitForStderr(/trust store .* is damaged/, 10_000);

    expect(occurrences(sharer.stderr, refusalLine(mallory!.key))).toBe(1);
    expect(sharer.stderr.split('\n').filter((l) => l.startsWith('refused '))).toHaveLength(1);
    expect(sharer.stderr.split('\n').filter((l) => /trust store .* is damaged/.test(l))).toHaveLength(1);
    expect(sharer.hasExited).toBe(false);
  }, 120_000);

  it('swarm share --json prints a refused event once, and the damaged trust file as an error event', async () => {
    const [alice, mallory] = makeUsers(['alice', 'mallory'], (a) => a === 'mallory');
    const dir = tempDir();
    writeFileSync(join(dir, 'secret.bin'), randomBytes(100_000));
    const sharer = new CliProcess(['share', join(dir, 'secret.bin'), '--host', '127.0.0.1', '--port', '0', '--json'], { home: alice!.home });
    const ready = await sharer.waitForEvent((e) => e.event === 'ready', 30_000, 'ready');
    await untrustedGets(mallory!, String(ready.magnet), dir);

    damageTrustFile(alice!.home);
    const error = await sharer.waitForEvent((e) => e.event === 'error', 10_000, 'trust error event');
    expect(error).toMatchObject({ code: 'CORRUPT_TRUST', hint: 'fix or restore the file by hand (it is JSON); swarm will not overwrite it' });

    const refused = sharer.events.filter((e) => e.event === 'refused');
    expect(refused).toEqual([
      { event: 'refused', key: mallory!.key, fingerprint: fingerprint(decodeKeyText(mallory!.key)), address: '127.0.0.1', reason: 'not trusted' },
    ]);
    expect(sharer.stderr).not.toMatch(/^refused /m);
  }, 120_000);

  it('swarm chat prints the refusal of a key it does not trust once, however often that key redials', async () => {
    const people = makePeople(['alice', 'mallory'] as const, { mallory: ['alice'] });
    const alice = await startChat(people.alice, { json: false });
    // Two separate chat processes of mallory's, each dialling alice at least once.
    for (let i = 0; i < 2; i++) {
      const mallory = await startChat(people.mallory, { peers: [alice.port] });
      await mallory.process.waitForEvent((e) => e.event === 'dial-error', 20_000, 'dial-error');
      await mallory.process.stop('SIGINT');
    }
    damageTrustFile(people.alice.home);
    await alice.process.waitForStderr(/trust store .* is damaged/, 10_000);
    expect(occurrences(alice.process.stderr, refusalLine(people.mallory.identity.keyText))).toBe(1);
  }, 120_000);
});
