/**
 * Each refusal names its real cause through the real CLI (issue 16): only "not trusted"
 * asks for `swarm trust add`; --allow leaving you out, a link for a share that was replaced
 * by another, and a share that was stopped (a chat runs on that port now) each get their
 * own message and next step, and end the get at once (exit 1) instead of waiting.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { tempDir } from '../helpers/temp-home.js';
import { join, makeUsers, startSharer, type TestUser } from '../share/cli-peers.js';

function someFile(dir: string, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, randomBytes(64 * 1024));
  return path;
}

function get(user: TestUser, magnet: string, dir: string) {
  return runCli(['get', magnet, '-o', join(dir, 'out'), '--host', '127.0.0.1'], { home: user.home, timeoutMs: 60_000 });
}

describe('a refused get says why', () => {
  it('--allow left you out: says so, and the hint asks for --allow, not for trust', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob', 'carol']);
    const dir = tempDir();
    const { magnet } = await startSharer(alice!, someFile(dir, 'a.bin'), ['--allow', 'carol']);
    const result = await get(bob!, magnet, dir);
    expectCleanFailure(result, 1, /^swarm: alice's share is limited to certain people \(--allow\) and you are not one of them \(hint: alice already trusts your key: ask them to add your name to --allow/);
    expect(result.stderr).not.toMatch(/trust add/);
  }, 90_000);

  it('not trusted: the only refusal whose hint is `swarm trust add <your key>`', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob'], (a) => a === 'bob'); // bob trusts alice, not the reverse
    const dir = tempDir();
    const { magnet } = await startSharer(alice!, someFile(dir, 'a.bin'));
    const result = await get(bob!, magnet, dir);
    expectCleanFailure(result, 1, /no answer to the secure handshake.*does not trust your key/); // v2: silence, not a REFUSE
    expect(result.stderr).toContain(`ask them to run \`swarm trust add ${bob!.key}\``);
  }, 90_000);

  it('the link is for a share that was replaced: says alice shares something else there, and to ask for the current link', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const first = await startSharer(alice!, someFile(dir, 'old.bin'));
    await first.child.stop('SIGINT');
    const second = await startSharer(alice!, someFile(dir, 'new.bin'), ['--port', String(first.port)]);
    expect(second.port).toBe(first.port);
    const result = await get(bob!, first.magnet, dir);
    expectCleanFailure(result, 1, new RegExp(`^swarm: alice is sharing something else at 127\\.0\\.0\\.1:${first.port}, not this link .*\\(hint: ask alice for the link their current \`swarm share\` printed\\)$`));
    expect(result.stderr).not.toMatch(/trust add/);
  }, 90_000);

  it('the share was stopped (alice runs a chat on that port now): says alice is not sharing anything there any more', async () => {
    const [alice, bob] = makeUsers(['alice', 'bob']);
    const dir = tempDir();
    const share = await startSharer(alice!, someFile(dir, 'a.bin'));
    await share.child.stop('SIGINT');
    const chat = new CliProcess(['chat', '--host', '127.0.0.1', '--port', String(share.port), '--json'], { home: alice!.home });
    await chat.waitForEvent((e) => e.event === 'ready', 20_000, 'chat ready');
    const result = await get(bob!, share.magnet, dir);
    expectCleanFailure(result, 1, new RegExp(`^swarm: alice is not sharing anything at 127\\.0\\.0\\.1:${share.port} any more \\(the share was stopped\\) \\(hint: ask alice to run \`swarm share\` on the same files again`));
    expect(result.stderr).not.toMatch(/trust add/);
  }, 90_000);
});
