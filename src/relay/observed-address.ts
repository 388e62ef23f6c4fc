/**
 * `relay whoami`: a trusted caller asks the relay which address its connection comes from
 * (its router's public address, for a node at home), the first half of a direct upgrade
 * (hole-punch.ts). The relay answers one OBSERVED record and ends the link.
 */
import { errors } from '../errors.js';
import { RELAY_WHOAMI_CHANNEL } from '../net/channel-name.js';
import { plainHost, type PeerAddress } from '../net/peer-address.js';
import type { PeerLink } from '../net/peer-link.js';
import { encodeAddressRecord, OBSERVED_TYPE, PunchRecordReader } from './punch-codec.js';

/** The relay's side: tells the caller where it sees it and ends the link. */
export function answerWhoami(link: PeerLink): void {
  link.stream.on('error', () => {});
  link.stream.on('data', () => {});
  // After ACCEPT has gone out (the handler returns first).
  setImmediate(() => link.stream.end(encodeAddressRecord(OBSERVED_TYPE, { host: plainHost(link.remoteHost), port: link.remotePort })));
}

export interface WhoamiNode {
  connect(host: string, port: number, channel: string, opts?: { expectedKey?: Uint8Array }): Promise<PeerLink>;
}

/** Asks the relay at `relay` (expecting `relayKey` when known) where it sees us; rejects after `timeoutMs`. */
export async function askObservedAddress(node: WhoamiNode, relay: PeerAddress, relayKey: Uint8Array | undefined, timeoutMs: number): Promise<PeerAddress> {
  const link = await node.connect(relay.host, relay.port, RELAY_WHOAMI_CHANNEL, relayKey ? { expectedKey: relayKey } : undefined);
  return new Promise((resolve, reject) => {
    const reader = new PunchRecordReader();
    const fail = (why: string) => {
      clearTimeout(timer);
      link.close();
      reject(errors.connectFailed(relay.host, relay.port, `relay whoami: ${why}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    link.stream.on('error', () => {});
    link.stream.on('data', (chunk: Buffer) => {
      const { records, error } = reader.push(chunk);
      const observed = records.find((record) => record.type === OBSERVED_TYPE);
      if (observed && observed.type === OBSERVED_TYPE) {
        clearTimeout(timer);
        link.close();
        return resolve(observed.address);
      }
      if (error || records.length > 0) fail(error ?? 'unexpected record');
    });
    link.stream.once('close', () => fail('closed without an answer'));
  });
}
