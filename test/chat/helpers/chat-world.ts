// Homes, identities and trust for chat end-to-end tests: real files in temp dirs, set up
// in-process (the CLI's own `id` and `trust` commands are tested elsewhere), then real
// `swarm chat` processes started on 127.0.0.1, port 0.
import { loadOrCreateIdentity, type Identity } from '../../../src/identity/identity.js';
import { TrustStore } from '../../../src/identity/trust-store.js';
import { tempDir } from '../../helpers/temp-home.js';
import { CliProcess, type JsonEvent } from '../../helpers/cli-process.js';
import { cliEnv } from '../../helpers/cli.js';

export interface Person {
  name: string;
  home: string;
  identity: Identity;
}

/** People with homes; `trusts` maps a name to the names whose keys it adds. */
export function makePeople<N extends string>(names: readonly N[], trusts: Partial<Record<N, N[]>>): Record<N, Person> {
  const people = {} as Record<N, Person>;
  for (const name of names) {
    const home = tempDir(`swarm-chat-${name}-`);
    people[name] = { name, home, identity: loadOrCreateIdentity(home) };
  }
  for (const name of names) {
    const store = TrustStore.load(people[name].home);
    for (const other of trusts[name] ?? []) store.add(people[other].identity.keyText, other);
  }
  return people;
}

/** Everyone trusts everyone else. */
export function allTrusting<N extends string>(names: readonly N[]): Partial<Record<N, N[]>> {
  return Object.fromEntries(names.map((name) => [name, names.filter((other) => other !== name)])) as Partial<Record<N, N[]>>;
}

export interface RunningChat {
  process: CliProcess;
  port: number;
}

export interface StartChatOptions {
  peers?: number[];
  port?: number;
  json?: boolean;
  /** More `swarm chat` options, e.g. ['--history-max', '1M']. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

export async function startChat(person: Person, options: StartChatOptions = {}): Promise<RunningChat> {
  const args = ['chat', '--host', '127.0.0.1', '--port', String(options.port ?? 0), ...(options.args ?? [])];
  for (const port of options.peers ?? []) args.push('--peer', `127.0.0.1:${port}`);
  if (options.json !== false) args.push('--json');
  const child = new CliProcess(args, { home: person.home, env: options.env && cliEnv(person.home, options.env) });
  const port = options.json === false ? Number((await child.waitForLine(/^-- chatting as .* on [^ ]+:(\d+);/)).match(/:(\d+);/)![1]) : Number((await child.waitForEvent((e) => e.event === 'ready', 20_000, 'ready')).port);
  return { process: child, port };
}

export function messageEvents(child: CliProcess): JsonEvent[] {
  return child.events.filter((event) => event.event === 'message');
}

export function waitForMessage(child: CliProcess, text: string, timeoutMs = 15_000): Promise<JsonEvent> {
  return child.waitForEvent((event) => event.event === 'message' && event.text === text, timeoutMs, `message "${text}"`);
}

export function waitForPeers(child: CliProcess, count: number, timeoutMs = 15_000): Promise<unknown> {
  return child.waitForEvent(
    () => {
      const joins = child.events.filter((e) => e.event === 'peer-join').length;
      const leaves = child.events.filter((e) => e.event === 'peer-leave').length;
      return joins - leaves >= count;
    },
    timeoutMs,
    `${count} peer(s)`,
  );
}

/** Resolves after `ms`; used to give a message time to (not) arrive before asserting absence. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
