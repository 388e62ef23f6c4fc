/**
 * `swarm chat` as a person uses it, through the real CLI without --json: the banner says
 * where friends connect; peers are named with plain IPv4 (a dual-stack listener sees
 * `::ffff:127.0.0.1`); a line typed with nobody linked says it is queued; /peers tells
 * direct links from peers heard through a neighbour; `--peer host` means the default
 * port; `--peer <name>` dials that trusted key's last known address; a taken default
 * port is said loudly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { createLoopbackHost, netnsUnavailableReason } from '../helpers/netns.js';
import { allTrusting, makePeople, startChat, waitForMessage, waitForPeers } from '../chat/helpers/chat-world.js';

const DEFAULT_PORT = 7927;
const servers: Server[] = [];
const blockers: ChildProcess[] = [];
afterEach(async () => {
  for (const blocker of blockers.splice(0)) blocker.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/**
 * The tests of the default port need it free: a swarm running on this machine for real (a
 * `swarm share` or `chat` started without --port) holds it on every address, and binding it
 * on any loopback address then fails. As root they run in a namespace of their own, where
 * only they listen; elsewhere on this machine's loopback.
 */
const ownLoopback = netnsUnavailableReason() === undefined ? createLoopbackHost('chat') : undefined;
afterAll(() => ownLoopback?.destroy());
const onOwnLoopback = ownLoopback?.wrapper;

/** Something else listening on host:port, where the chats of the default-port tests run. */
async function occupy(host: string, port: number): Promise<void> {
  if (!ownLoopback) {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return;
  }
  const listen = `require('node:net').createServer().listen(${port}, '${host}', () => console.log('listening'))`;
  const blocker = spawn('ip', ['netns', 'exec', ownLoopback.ns, process.execPath, '-e', listen], { stdio: ['ignore', 'pipe', 'pipe'] });
  blockers.push(blocker);
  let stderr = '';
  blocker.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    blocker.stdout!.once('data', () => resolve());
    blocker.once('exit', (code) => reject(new Error(`the process holding ${host}:${port} exited (${code}) before listening: ${stderr.trim()}`)));
  });
}

/** A loopback address of our own, so the default port there is ours (127.0.0.0/8 gives many hosts). */
function privateLoopback(): string {
  return `127.${50 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 2}`;
}

function plainChat(home: string, args: string[], wrapper?: string[]): CliProcess {
  return new CliProcess(['chat', ...args], { home, wrapper });
}

describe('swarm chat, everyday', () => {
  it('banner, plain IPv4 peer names, queued lines, and /peers direct vs through whom', async () => {
    const people = makePeople(['a', 'b', 'c'] as const, allTrusting(['a', 'b', 'c'] as const));
    // a listens on every interface (dual stack): b's address arrives IPv4-mapped.
    const a = plainChat(people.a.home, ['--port', '0']);
    const banner = await a.waitForLine(/^-- chatting as .* on \[::\]:(\d+);/);
    const aPort = Number(/:(\d+);/.exec(banner)![1]);
    expect(await a.waitForLine(/^-- on this machine: /)).toBe(`-- on this machine: swarm chat --peer 127.0.0.1:${aPort} --`);
    await a.waitForLine(/^-- they see you by the name they gave your key --$/);

    a.send('anyone there?');
    await a.waitForLine(/^\(queued: nobody is connected\)$/);

    const b = await startChat(people.b, { peers: [aPort] });
    const joined = await a.waitForLine(/^\* b connected/);
    expect(joined).toBe('* b connected (127.0.0.1)');
    // The queued line reaches b when it links (catch-up).
    await waitForMessage(b.process, 'anyone there?');
    const c = await startChat(people.c, { peers: [b.port] });
    await waitForPeers(c.process, 1);
    c.process.send('hello from c');
    await a.waitForLine(/\] c: hello from c$/);
    a.send('/peers');
    await a.waitForLine(/^\* c {2}via b {2}\(last heard \d+ s ago\)$/);
    expect(a.lines).toContain('* b  127.0.0.1  direct (dialled you)');
    expect(a.lines.join('\n')).not.toMatch(/::ffff:/);
    a.send('now b is here');
    await waitForMessage(b.process, 'now b is here');
    expect(a.lines.filter((line) => line.startsWith('(queued'))).toHaveLength(1);
    expect(await a.stop('SIGINT')).toBe(0);
  }, 60_000);

  it('--peer host alone dials the default port, and then --peer <name> finds that peer again', async () => {
    const people = makePeople(['alice', 'bob'] as const, allTrusting(['alice', 'bob'] as const));
    const host = privateLoopback();
    const alice = plainChat(people.alice.home, ['--host', host, '--port', String(DEFAULT_PORT)], onOwnLoopback);
    await alice.waitForLine(new RegExp(`^-- chatting as .* on ${host.replace(/\./g, '\\.')}:${DEFAULT_PORT};`));

    // Before bob ever reached alice, her name has no address yet: a usage error saying what to do.
    const early = await runCli(['chat', '--peer', 'alice'], { home: people.bob.home });
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/^swarm: no known address for alice yet \(hint: connect once with --peer host:port/);

    const first = plainChat(people.bob.home, ['--host', '127.0.0.1', '--port', '0', '--peer', host], onOwnLoopback);
    await first.waitForLine(new RegExp(`^\\* alice connected \\(${host.replace(/\./g, '\\.')}:${DEFAULT_PORT}\\)$`));
    expect(await first.stop('SIGINT')).toBe(0);

    const second = plainChat(people.bob.home, ['--host', '127.0.0.1', '--port', '0', '--peer', 'alice'], onOwnLoopback);
    await second.waitForLine(/^\* alice connected /);
    second.send('found you by name');
    await alice.waitForLine(/\] bob: found you by name$/);
    expect(await second.stop('SIGINT')).toBe(0);
    expect(await alice.stop('SIGINT')).toBe(0);
  }, 60_000);

  it('says loudly when the default port is taken, and --port 0 takes any port without a warning', async () => {
    const people = makePeople(['a'] as const, {});
    const host = privateLoopback();
    await occupy(host, DEFAULT_PORT);
    const chat = plainChat(people.a.home, ['--host', host], onOwnLoopback);
    const warning = await chat.waitForLine(/^warning: /);
    expect(warning).toMatch(new RegExp(`^warning: port ${DEFAULT_PORT} is taken; listening on \\d+ instead`));
    await chat.waitForLine(/^-- chatting as /);
    expect(await chat.stop('SIGINT')).toBe(0);

    const any = plainChat(people.a.home, ['--host', host, '--port', '0'], onOwnLoopback);
    await any.waitForLine(/^-- chatting as /);
    expect(any.lines.some((line) => line.startsWith('warning:'))).toBe(false);
    expect(await any.stop('SIGINT')).toBe(0);
  }, 30_000);

  it('revoking a peer says "removed mallory" on the command line and by name in the running chat', async () => {
    const people = makePeople(['alice', 'mallory'] as const, allTrusting(['alice', 'mallory'] as const));
    const alice = plainChat(people.alice.home, ['--host', '127.0.0.1', '--port', '0']);
    const banner = await alice.waitForLine(/^-- chatting as .* on 127\.0\.0\.1:(\d+);/);
    const mallory = await startChat(people.mallory, { peers: [Number(/:(\d+);/.exec(banner)![1])] });
    await alice.waitForLine(/^\* mallory connected/);
    const removed = await runCli(['trust', 'remove', people.mallory.identity.keyText], { home: people.alice.home });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(/^removed mallory \([0-9a-f]{4}:[0-9a-f]{4}:[0-9a-f]{4}\)\n$/);
    expect(await alice.waitForLine(/^\* .* disconnected/)).toBe('* mallory disconnected: removed from your trust list');
    await mallory.process.stop('SIGINT');
    expect(await alice.stop('SIGINT')).toBe(0);
  }, 30_000);

  it('--peer <name> makes the link prove that name\'s key: another trusted key at the remembered address is refused', async () => {
    const people = makePeople(['alice', 'bob', 'carol'] as const, allTrusting(['alice', 'bob', 'carol'] as const));
    const host = privateLoopback();
    const alice = plainChat(people.alice.home, ['--host', host, '--port', String(DEFAULT_PORT)], onOwnLoopback);
    await alice.waitForLine(/^-- chatting as /);
    const first = plainChat(people.bob.home, ['--host', '127.0.0.1', '--port', '0', '--peer', `${host}:${DEFAULT_PORT}`], onOwnLoopback);
    await first.waitForLine(/^\* alice connected /);
    expect(await first.stop('SIGINT')).toBe(0);
    expect(await alice.stop('SIGINT')).toBe(0);

    // Carol, also trusted, now listens where alice was: asked for alice, bob must not link to her.
    const carol = plainChat(people.carol.home, ['--host', host, '--port', String(DEFAULT_PORT)], onOwnLoopback);
    await carol.waitForLine(/^-- chatting as /);
    const second = plainChat(people.bob.home, ['--host', '127.0.0.1', '--port', '0', '--peer', 'alice'], onOwnLoopback);
    const failure = await second.waitForLine(/^\* cannot reach /);
    expect(failure).toMatch(new RegExp(`^\\* cannot reach ${host.replace(/\./g, '\\.')}:${DEFAULT_PORT} \\(.*(key|expected).*\\); retrying in the background$`));
    expect(second.lines.some((line) => / connected \(/.test(line))).toBe(false);
    expect(carol.lines.some((line) => / connected \(/.test(line))).toBe(false);
    expect(await second.stop('SIGINT')).toBe(0);
    expect(await carol.stop('SIGINT')).toBe(0);
  }, 60_000);
});

