// `swarm pair` end to end: real CLI processes over real TCP on 127.0.0.1, real trust
// files. Pairing succeeds only with the same code on both sides and ends in a mutual trust
// entry; a wrong code, a relay with its own guesses, a decline, Ctrl-C or the expiry end
// both sides non-zero with the trust stores untouched; the code serves one attempt.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '../../src/crypto/ed25519.js';
import { HandshakeReader } from '../../src/secure/handshake-reader.js';
import { parsePairingCode } from '../../src/secure/pairing-code.js';
import {
  answerHello, beginInitiator, decodeHello, sealProof, HELLO_BYTES, PROOF_BYTES, REPLY_BYTES, STATUS_BYTES, STATUS_GO_ON,
} from '../../src/secure/pairing-protocol.js';
import { PGP_EVEN_WORDS, PGP_ODD_WORDS } from '../../src/secure/pgp-wordlist.js';
import { CliProcess, type JsonEvent } from '../helpers/cli-process.js';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-home.js';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

interface Waiting {
  process: CliProcess;
  code: string;
  port: number;
}

async function startWaiter(home: string, extra: string[] = ['--yes']): Promise<Waiting> {
  const process = new CliProcess(['pair', '--host', '127.0.0.1', '--port', '0', '--json', ...extra], { home });
  const event = await process.waitForEvent((e) => e.event === 'code', 20_000, 'the code event');
  return { process, code: event.code as string, port: event.port as number };
}

function join_(waiting: Waiting, home: string, code = waiting.code, extra: string[] = ['--yes']): CliProcess {
  return new CliProcess(['pair', code, '--peer', `127.0.0.1:${waiting.port}`, '--json', ...extra], { home });
}

async function trustList(home: string): Promise<{ name: string; key: string }[]> {
  const result = await runCli(['trust', 'list', '--json'], { home });
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as { name: string; key: string }[];
}

async function keyOf(home: string): Promise<string> {
  const result = await runCli(['id', '--json'], { home });
  return (JSON.parse(result.stdout) as { key: string }).key;
}

/** The same code with its last word replaced by another word of the same list. */
function wrongCode(code: string): string {
  const parts = code.split('-');
  const last = parts.pop()!;
  const list = parts.length % 2 === 1 ? PGP_ODD_WORDS : PGP_EVEN_WORDS;
  return [...parts, list[(list.indexOf(last) + 1) % 256]].join('-');
}

function lastEvent(process: CliProcess, name: string): JsonEvent | undefined {
  return process.events.find((event) => event.event === name);
}

/** One error line (after the question's line, if one was asked), no stack trace. */
function oneStderrLine(process: CliProcess, pattern: RegExp): void {
  const lines = process.stderr.trimEnd().split('\n').filter((line) => !line.startsWith('same words on both screens?'));
  expect(lines, process.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(process.stderr).not.toMatch(/\n\s+at /);
}

describe('swarm pair', () => {
  it('two processes pair over --peer: same words, each trusts the other under the given name (0600), repeat says so', async () => {
    const [homeA, homeB] = [tempDir(), tempDir()];
    const [keyA, keyB] = [await keyOf(homeA), await keyOf(homeB)];
    const waiting = await startWaiter(homeA, ['--yes', '--name', 'bob']);
    expect(waiting.code).toMatch(/^\d{1,3}-[a-z]+-[a-z]+-[a-z]+$/);
    const joiner = join_(waiting, homeB, waiting.code.toUpperCase().replaceAll('-', ' '), ['--yes', '--name', 'alice']);
    expect(await joiner.exited).toBe(0);
    expect(await waiting.process.exited).toBe(0);
    const verifyA = lastEvent(waiting.process, 'verify')!;
    const verifyB = lastEvent(joiner, 'verify')!;
    expect(verifyA.words).toHaveLength(3);
    expect(verifyA.words).toEqual(verifyB.words);
    expect(verifyA.key).toBe(keyB);
    expect(verifyB.key).toBe(keyA);
    expect(lastEvent(waiting.process, 'paired')).toMatchObject({ name: 'bob', key: keyB, alreadyTrusted: false });
    expect(lastEvent(joiner, 'paired')).toMatchObject({ name: 'alice', key: keyA, alreadyTrusted: false });
    expect(await trustList(homeA)).toEqual([expect.objectContaining({ name: 'bob', key: keyB })]);
    expect(await trustList(homeB)).toEqual([expect.objectContaining({ name: 'alice', key: keyA })]);
    expect(statSync(join(homeA, 'trust.json')).mode & 0o777).toBe(0o600);

    // Again, with the same keys: nothing is added, both sides say they already trust it.
    const again = await startWaiter(homeA);
    const joinAgain = join_(again, homeB);
    expect(await joinAgain.exited).toBe(0);
    expect(await again.process.exited).toBe(0);
    expect(lastEvent(again.process, 'verify')).toMatchObject({ trustedAs: 'bob' });
    expect(lastEvent(again.process, 'paired')).toMatchObject({ name: 'bob', alreadyTrusted: true });
    expect(lastEvent(joinAgain, 'paired')).toMatchObject({ name: 'alice', alreadyTrusted: true });
    expect(await trustList(homeA)).toHaveLength(1);
  });

  it('text output: the waiting side prints the code and the command to run; the joiner prints the words', async () => {
    const [homeA, homeB] = [tempDir(), tempDir()];
    const waiter = new CliProcess(['pair', '--host', '127.0.0.1', '--port', '0', '--yes', '--timeout', '2m'], { home: homeA });
    const line = await waiter.waitForLine(/^  swarm pair \d+-\S+ --peer 127\.0\.0\.1:\d+$/);
    expect(waiter.lines.join('\n')).toMatch(/works once, for 2 min/);
    const joiner = new CliProcess(line.trim().split(/\s+/).slice(1).concat(['--yes']), { home: homeB });
    expect(await joiner.exited).toBe(0);
    expect(await waiter.exited).toBe(0);
    const words = joiner.lines.find((l) => l.startsWith('words: '));
    expect(words).toBeDefined();
    expect(waiter.lines).toContain(words);
    expect(joiner.lines.at(-1)).toMatch(/^paired: trusted peer-[0-9a-f]{8} \(/);
  });

  it('a wrong code fails on both sides, writes nothing, and kills the code', async () => {
    const [homeA, homeB] = [tempDir(), tempDir()];
    const waiting = await startWaiter(homeA);
    const joiner = join_(waiting, homeB, wrongCode(waiting.code));
    expect(await joiner.exited).toBe(1);
    expect(await waiting.process.exited).toBe(1);
    oneStderrLine(joiner, /did not enter the same code: this attempt is over and the code is dead/);
    oneStderrLine(waiting.process, /did not enter the same code/);
    expect(lastEvent(joiner, 'verify')).toBeUndefined();
    expect(existsSync(join(homeA, 'trust.json'))).toBe(false);
    expect(existsSync(join(homeB, 'trust.json'))).toBe(false);
    // The right code now reaches nobody: the attempt used it up.
    const late = await runCli(['pair', waiting.code, '--peer', `127.0.0.1:${waiting.port}`, '--yes'], { home: homeB });
    expectCleanFailure(late, 1, /^swarm: cannot connect|^swarm: .*127\.0\.0\.1/);
    expect(existsSync(join(homeB, 'trust.json'))).toBe(false);
  });

  it('strangers (no hello, another number, garbage) get no byte and do not use up the code', async () => {
    const [homeA, homeB] = [tempDir(), tempDir()];
    const waiting = await startWaiter(homeA);
    const number = Number(waiting.code.split('-')[0]);
    const otherNumber = beginInitiator(parsePairingCode(`${(number % 999) + 1}-${waiting.code.split('-').slice(1).join('-')}`)).hello;
    for (const bytes of [otherNumber, new Uint8Array(HELLO_BYTES).fill(0x41), Buffer.from('GET / HTTP/1.1\r\n\r\n'.padEnd(HELLO_BYTES))]) {
      expect(await bytesReturnedFor(waiting.port, bytes)).toBe(0);
    }
    const joiner = join_(waiting, homeB);
    expect(await joiner.exited).toBe(0);
    expect(await waiting.process.exited).toBe(0);
    expect(await trustList(homeA)).toHaveLength(1);
  });

  it('a relay that runs its own pairing with each side, with its own code guesses, fails both', async () => {
    const [homeA, homeB] = [tempDir(), tempDir()];
    const waiting = await startWaiter(homeA);
    const relay = await startRelay(waiting.port, waiting.code);
    const joiner = new CliProcess(['pair', waiting.code, '--peer', `127.0.0.1:${relay.port}`, '--json', '--yes'], { home: homeB });
    expect(await joiner.exited).toBe(1);
    expect(await waiting.process.exited).toBe(1);
    oneStderrLine(joiner, /did not enter the same code/);
    oneStderrLine(waiting.process, /did not enter the same code/);
    expect(lastEvent(joiner, 'verify')).toBeUndefined();
    expect(lastEvent(waiting.process, 'verify')).toBeUndefined();
    expect(relay.openedSomething).toBe(false);
    expect(existsSync(join(homeA, 'trust.json'))).toBe(false);
    expect(existsSync(join(homeB, 'trust.json'))).toBe(false);
  });

  it('a "no" on one side ends both non-zero; nothing is written', async () => {
    const [homeA, homeB] = [tempDir(), tempDir()];
    const waiting = await startWaiter(homeA, []);
    const joiner = join_(waiting, homeB, waiting.code, []);
    await waiting.process.waitForEvent((e) => e.event === 'verify');
    await waiting.process.waitForStderr(/same words on both screens\? pair and trust this key \[y\/N\]/);
    waiting.process.send('y');
    await joiner.waitForStderr(/same words on both screens\?/);
    joiner.send('n');
    expect(await joiner.exited).toBe(1);
    expect(await waiting.process.exited).toBe(1);
    oneStderrLine(joiner, /pairing declined by you; nothing was written/);
    oneStderrLine(waiting.process, /pairing declined by the other side; nothing was written/);
    expect(existsSync(join(homeA, 'trust.json'))).toBe(false);
    expect(existsSync(join(homeB, 'trust.json'))).toBe(false);
  });

  it('Ctrl-C at the question ends both sides non-zero with nothing written', async () => {
    const [homeA, homeB] = [tempDir(), tempDir()];
    const waiting = await startWaiter(homeA);
    const joiner = join_(waiting, homeB, waiting.code, []);
    await joiner.waitForEvent((e) => e.event === 'verify');
    expect(await joiner.stop('SIGINT')).toBe(1);
    expect(await waiting.process.exited).toBe(1);
    oneStderrLine(joiner, /pairing interrupted; nothing was written/);
    oneStderrLine(waiting.process, /the other side left before confirming/);
    expect(existsSync(join(homeA, 'trust.json'))).toBe(false);
    expect(existsSync(join(homeB, 'trust.json'))).toBe(false);
  });

  it('a --name already used for another key stops both sides before anything is trusted', async () => {
    const [homeA, homeB, homeC] = [tempDir(), tempDir(), tempDir()];
    expect((await runCli(['trust', 'add', await keyOf(homeC), '--name', 'bob'], { home: homeA })).code).toBe(0);
    const waiting = await startWaiter(homeA, ['--yes', '--name', 'bob']);
    const joiner = join_(waiting, homeB);
    expect(await waiting.process.exited).toBe(1);
    expect(await joiner.exited).toBe(1);
    oneStderrLine(waiting.process, /the name "bob" is already used for another key/);
    oneStderrLine(joiner, /the other side left before confirming/);
    expect(await trustList(homeA)).toHaveLength(1);
    expect(existsSync(join(homeB, 'trust.json'))).toBe(false);
  });

  it('Ctrl-C while waiting, and an expired code, end non-zero with one line', async () => {
    const waiting = await startWaiter(tempDir());
    expect(await waiting.process.stop('SIGINT')).toBe(1);
    oneStderrLine(waiting.process, /pairing interrupted; nothing was written/);
    const expiring = await startWaiter(tempDir(), ['--yes', '--timeout', '1s']);
    expect(await expiring.process.exited).toBe(1);
    oneStderrLine(expiring.process, /did not finish within 1 s; the code is dead/);
  });

  it('bad input: a code that is not one, a code without --peer, a taken name, a bad duration', async () => {
    const home = tempDir();
    expectCleanFailure(await runCli(['pair', '7-banana-split-sundae', '--peer', '127.0.0.1:9'], { home }), 1, /not a pairing code: .*not in the word list/);
    expectCleanFailure(await runCli(['pair', '7-crossover-clockwork-indigo'], { home }), 2, /joining needs the address of the waiting side/);
    expectCleanFailure(await runCli(['pair', '--peer', '127.0.0.1:9'], { home }), 2, /--peer is for joining/);
    expectCleanFailure(await runCli(['pair', '--timeout', 'soon'], { home }), 2, /invalid duration "soon"/);
    expectCleanFailure(await runCli(['pair', '--name', 'swarm1x'], { home }), 2, /invalid name/);
  });
});

/** Connects, sends `bytes`, and counts what comes back before the listener closes the connection. */
function bytesReturnedFor(port: number, bytes: Uint8Array): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = 0;
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.setTimeout(15_000, () => socket.destroy(new Error('listener neither answered nor closed')));
  });
}

/**
 * A hostile man in the middle: answers the joiner as if it were the waiting side, and
 * dials the waiting side as if it were the joiner, each time with its own guess of the
 * code's words (it sees the number in the clear). It forwards nothing it cannot open.
 */
async function startRelay(targetPort: number, realCode: string): Promise<{ port: number; openedSomething: boolean }> {
  const number = realCode.split('-')[0];
  const guessA = wrongCode(realCode);
  const guessB = wrongCode(guessA);
  const identity = generateSigningKeyPair();
  const state = { port: 0, openedSomething: false };
  const server = createServer((joinerSocket: Socket) => {
    joinerSocket.on('error', () => {});
    const fromJoiner = new HandshakeReader(joinerSocket);
    void (async () => {
      const hello = decodeHello(await fromJoiner.readExactly(HELLO_BYTES))!;
      const answer = answerHello(parsePairingCode(guessA.replace(/^\d+/, number!)), hello)!;
      joinerSocket.write(answer.reply);
      await fromJoiner.readExactly(PROOF_BYTES);
      // Keep the joiner going with a proof sealed under the relay's own key.
      joinerSocket.write(Uint8Array.of(STATUS_GO_ON));
      joinerSocket.write(sealProof(answer.session, identity));

      const targetSocket = connect({ host: '127.0.0.1', port: targetPort });
      targetSocket.on('error', () => {});
      const fromTarget = new HandshakeReader(targetSocket);
      const start = beginInitiator(parsePairingCode(guessB));
      targetSocket.write(start.hello);
      const session = start.finish(await fromTarget.readExactly(REPLY_BYTES))!;
      targetSocket.write(sealProof(session, identity));
      const status = await fromTarget.readExactly(STATUS_BYTES).catch(() => Uint8Array.of(0));
      if (status[0] === STATUS_GO_ON) state.openedSomething = true;
    })().catch(() => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as { port: number }).port;
  return state;
}
