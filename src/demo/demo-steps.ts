/**
 * `swarm demo`: a real local session, driven through the real CLI as child
 * processes on 127.0.0.x, one step at a time. Each step returns the sentence that
 * says what it proved; a step that fails throws, and the demo exits non-zero.
 */
import { sha256 } from '../crypto/hash.js';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors } from '../errors.js';
import { fingerprint } from '../identity/key-text.js';
import { CliChild, type JsonEvent } from './cli-child.js';
import type { DemoWorld, Person } from './demo-world.js';

export const DEMO_FILE = fileURLToPath(new URL('../../fixtures/demo/field-notes.txt', import.meta.url));
const DEMO_SUMS = fileURLToPath(new URL('../../fixtures/demo/SHA256SUMS', import.meta.url));
const CLI_PATH = fileURLToPath(new URL('../cli.cjs', import.meta.url));
const STEP_TIMEOUT_MS = 30_000;
/** The demo file (3 MiB) takes about 2 s at this rate: long enough to watch the bar. */
const DEMO_UPLOAD_LIMIT = '1536k';

export interface DemoStep {
  title: string;
  run(): Promise<string>;
}

export class DemoSession {
  private readonly children: CliChild[] = [];
  private magnet = '';
  private chatters = new Map<string, CliChild>();

  constructor(private readonly world: DemoWorld, private readonly showProgress: boolean) {}

  steps(): DemoStep[] {
    const { alice, bob, carol, mallory } = this.world.people;
    return [
      { title: 'four identities in a temp dir', run: async () => this.introduce() },
      { title: `alice shares ${basename(DEMO_FILE)}`, run: () => this.share(alice) },
      { title: 'bob gets it from alice', run: () => this.get(bob, 'bob-downloads') },
      { title: 'mallory, whom nobody trusts, tries to get it', run: () => this.refuseStranger(mallory) },
      { title: 'chat alice - bob - carol: alice speaks, carol hears through bob', run: () => this.relayedChat(alice, bob, carol) },
      { title: 'alice sends carol a direct message through bob', run: () => this.directMessage(alice, carol) },
    ];
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.children.map((child) => child.stop('SIGINT', 3000)));
  }

  private spawn(person: Person, args: string[], stderr: 'pipe' | 'inherit' = 'pipe'): CliChild {
    const env = { ...process.env, SWARM_HOME: person.home, SWARM_NO_LAN: '1', SWARM_NO_DHT: '1', SWARM_NO_NAT: '1' }; // the demo's people are linked by address, not found (and never reach the public DHT or a router)
    const child = new CliChild(args, { cliPath: CLI_PATH, env, stderr });
    this.children.push(child);
    return child;
  }

  private introduce(): string {
    for (const person of Object.values(this.world.people)) {
      const trusted = person.name === 'mallory' ? 'trusts alice, bob, carol' : 'trusted by the other two';
      this.say(`${person.name.padEnd(7)} ${fingerprint(person.identity.publicKey)}  on ${person.host}  (${trusted})`);
    }
    return 'each person has an Ed25519 identity, created on first use; alice, bob and carol trust each other, nobody trusts mallory';
  }

  private async share(alice: Person): Promise<string> {
    // On a terminal the getter's bar is shown: capped, it moves for a couple of seconds instead of flashing at 100%.
    const limit = this.showProgress ? ['--upload-limit', DEMO_UPLOAD_LIMIT] : [];
    const sharer = this.spawn(alice, ['share', DEMO_FILE, '--host', alice.host, '--port', '0', '--json', ...limit]);
    const ready = await sharer.waitForEvent((event) => event.event === 'ready', STEP_TIMEOUT_MS, 'the share to be ready');
    this.magnet = String(ready.magnet);
    this.say(this.magnet.length > 110 ? `${this.magnet.slice(0, 107)}...` : this.magnet);
    const params = new URL(this.magnet).searchParams;
    if (params.has('tr') || params.has('ws') || params.has('as')) {
      throw errors.demoFailed('the magnet names a public tracker or web seed');
    }
    return "a standard BitTorrent magnet (xt=urn:btih) carrying alice's address and key, and no tracker, DHT or web seed";
  }

  private async get(person: Person, folder: string): Promise<string> {
    const outDir = join(this.world.root, folder);
    const getter = this.spawn(person, ['get', this.magnet, '-o', outDir], this.showProgress ? 'inherit' : 'pipe');
    const code = await withTimeout(getter.exited, STEP_TIMEOUT_MS, 'the download');
    if (code !== 0) throw errors.demoFailed(`swarm get exited ${code}: ${getter.stderr.trim()}`);
    const got = readFileSync(join(outDir, basename(DEMO_FILE)));
    const expected = readFileSync(DEMO_SUMS, 'utf8').split(/\s+/)[0];
    const actual = sha256(got).toString('hex');
    if (actual !== expected) throw errors.demoFailed(`downloaded file has SHA-256 ${actual}, expected ${expected}`);
    this.say(`${got.length} bytes, SHA-256 ${actual.slice(0, 16)}… matches fixtures/demo/SHA256SUMS`);
    return 'fetched over a Noise IK channel that proved both keys; every piece hash-checked; the whole file is byte-identical';
  }

  private async refuseStranger(mallory: Person): Promise<string> {
    const outDir = join(this.world.root, 'mallory-downloads');
    const getter = this.spawn(mallory, ['get', this.magnet, '-o', outDir]);
    const code = await withTimeout(getter.exited, STEP_TIMEOUT_MS, "mallory's attempt");
    if (code === 0) throw errors.demoFailed('mallory was given the file');
    const leaked = existsSync(outDir) && readdirSync(outDir).length > 0;
    if (leaked) throw errors.demoFailed(`mallory's folder is not empty: ${readdirSync(outDir).join(', ')}`);
    this.say(`mallory's swarm get exited ${code}: ${getter.stderr.trim().split('\n')[0]}`);
    return "alice's node sent mallory not a single byte (protocol v2 is silent to keys it does not trust): no piece, no metadata, not even the file name";
  }

  private async relayedChat(alice: Person, bob: Person, carol: Person): Promise<string> {
    const bobChat = this.startChat(bob, []);
    const bobReady = await bobChat.waitForEvent((event) => event.event === 'ready', STEP_TIMEOUT_MS, "bob's chat");
    const bobAddress = `${bob.host}:${String(bobReady.port)}`;
    const aliceChat = this.startChat(alice, ['--peer', bobAddress]);
    const carolChat = this.startChat(carol, ['--peer', bobAddress]);
    await Promise.all(
      [aliceChat, carolChat].map((chat) =>
        chat.waitForEvent((event) => event.event === 'peer-join' && event.name === 'bob', STEP_TIMEOUT_MS, 'a link to bob'),
      ),
    );
    await bobChat.waitForEvent((event) => event.event === 'peer-join' && event.name === 'carol', STEP_TIMEOUT_MS, 'carol at bob');
    await bobChat.waitForEvent((event) => event.event === 'peer-join' && event.name === 'alice', STEP_TIMEOUT_MS, 'alice at bob');
    const text = 'hello carol, this went through bob';
    aliceChat.send(text);
    const heard = await carolChat.waitForEvent(isMessage(text), STEP_TIMEOUT_MS, "alice's message at carol");
    if (heard.from !== alice.identity.keyText) throw errors.demoFailed('the message arrived with the wrong author');
    this.say(`carol shows: ${String(heard.name)}: ${String(heard.text)}`);
    return "carol verified alice's signature on a message that bob relayed; bob could pass it on but not alter or forge it";
  }

  private async directMessage(alice: Person, carol: Person): Promise<string> {
    const text = 'only carol can read this';
    this.chatters.get(alice.name)!.send(`/msg carol ${text}`);
    const heard = await this.chatters
      .get(carol.name)!
      .waitForEvent((event) => isMessage(text)(event) && event.direct === true, STEP_TIMEOUT_MS, 'the direct message at carol');
    const bobSaw = this.chatters.get('bob')!.lines.some((line) => line.includes(text));
    if (bobSaw) throw errors.demoFailed("bob's chat printed the direct message");
    this.say(`carol shows (direct): ${String(heard.name)}: ${String(heard.text)}`);
    return 'sealed end to end for carol (nacl.box): bob relayed it without being able to read it';
  }

  private startChat(person: Person, extra: string[]): CliChild {
    const chat = this.spawn(person, ['chat', '--host', person.host, '--port', '0', '--json', ...extra]);
    this.chatters.set(person.name, chat);
    return chat;
  }

  private say(line: string): void {
    process.stdout.write(`      ${line}\n`);
  }
}

function isMessage(text: string): (event: JsonEvent) => boolean {
  return (event) => event.event === 'message' && event.text === text;
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(errors.demoFailed(`${what} took longer than ${timeoutMs / 1000} s`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
