/**
 * SwarmNodes on 127.0.0.1 port 0 with fixed trust relations, closed after each test.
 * `createNodes(n, { trust: 'all' | 'none' })`; `trustOf(node)` edits a node's allowlist.
 */
import { afterEach } from 'vitest';
import type { Identity } from '../../src/identity/identity.js';
import { SwarmNode, type Refusal, type SwarmNodeOptions } from '../../src/net/swarm-node.js';
import { makeIdentities } from './test-identities.js';

export class MemoryTrust {
  readonly keys = new Set<string>();
  private listeners: (() => void)[] = [];
  allows(key: Uint8Array): boolean {
    return this.keys.has(Buffer.from(key).toString('hex'));
  }
  list(): { publicKey: Uint8Array }[] {
    return [...this.keys].map((hex) => ({ publicKey: Buffer.from(hex, 'hex') }));
  }
  add(identity: Identity): void {
    this.keys.add(Buffer.from(identity.publicKey).toString('hex'));
    this.changed();
  }
  remove(identity: Identity): void {
    this.keys.delete(Buffer.from(identity.publicKey).toString('hex'));
    this.changed();
  }
  watch(onChange: () => void): () => void {
    this.listeners.push(onChange);
    return () => (this.listeners = this.listeners.filter((l) => l !== onChange));
  }
  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

export interface TestNode {
  node: SwarmNode;
  identity: Identity;
  trust: MemoryTrust;
  port: number;
  /** Every 'refused' event of the node, in order. */
  refusals: Refusal[];
}

const open: SwarmNode[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((node) => node.close()));
});

export async function createNodes(count: number, options: { trust?: 'all' | 'none'; node?: Partial<SwarmNodeOptions> } = {}): Promise<TestNode[]> {
  const identities = makeIdentities(count);
  const nodes: TestNode[] = [];
  for (const identity of identities) {
    const trust = new MemoryTrust();
    if (options.trust !== 'none') for (const other of identities) if (other !== identity) trust.add(other);
    const node = new SwarmNode({ identity, trust, host: '127.0.0.1', port: 0, ...options.node });
    const refusals: Refusal[] = [];
    node.on('refused', (refusal: Refusal) => refusals.push(refusal));
    open.push(node);
    const { port } = await node.listen();
    nodes.push({ node, identity, trust, port, refusals });
  }
  return nodes;
}

export function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (condition()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}
