/**
 * A getter's wire as the super-seeder sees it (super-seeder-*.test.ts): webtorrent asks it for
 * our pieces with haveAll(), and every `have` we send is recorded as an offer. Events
 * ('request', 'have', 'upload', ...) are emitted by the test.
 */
import { EventEmitter } from 'node:events';
import type { Wire } from 'webtorrent';

export type FakeGetterWire = Wire & { offered: number[]; emit(event: string, ...args: unknown[]): boolean };

export function fakeGetterWire(): FakeGetterWire {
  const wire = Object.assign(new EventEmitter(), {
    offered: [] as number[],
    destroyed: false,
    hasFast: true,
    peerPieces: { get: () => false },
    haveAll() {},
    haveNone() {},
    have(index: number) {
      wire.offered.push(index);
    },
  });
  return wire as unknown as FakeGetterWire;
}
