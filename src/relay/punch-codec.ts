/**
 * The small records of a direct upgrade (docs/protocol.md, "Direct upgrade through the
 * relay"). An address is `n (1 byte) ‖ IP as text (n bytes, 2..45) ‖ port (2 bytes, big-endian)`.
 * - OBSERVED = 0x02 ‖ address: the relay's answer on `relay whoami` (where it sees the caller).
 * - CONNECT = 0x01 ‖ address: on the `punch` channel, "dial me here" (each end sends one).
 * - SYNC = 0x03: on the `punch` channel, the dialler's "start now" (the other end starts on receipt).
 */
import { isIP } from 'node:net';
import { plainHost, type PeerAddress } from '../net/peer-address.js';

export const CONNECT_TYPE = 0x01;
export const OBSERVED_TYPE = 0x02;
export const SYNC_TYPE = 0x03;
const MAX_IP_TEXT = 45;

export function encodeAddressRecord(type: typeof CONNECT_TYPE | typeof OBSERVED_TYPE, address: PeerAddress): Buffer {
  const ip = Buffer.from(plainHost(address.host), 'latin1');
  if (isIP(address.host) === 0 || ip.length > MAX_IP_TEXT) throw new Error(`not an IP address: ${address.host}`);
  const port = Buffer.alloc(2);
  port.writeUInt16BE(address.port);
  return Buffer.concat([Buffer.from([type, ip.length]), ip, port]);
}

export type PunchRecord = { type: typeof CONNECT_TYPE | typeof OBSERVED_TYPE; address: PeerAddress } | { type: typeof SYNC_TYPE };

/** Splits a byte stream into records; a malformed one is an error text (the caller ends the link). */
export class PunchRecordReader {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): { records: PunchRecord[]; error?: string } {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const records: PunchRecord[] = [];
    while (this.buffered.length > 0) {
      const type = this.buffered[0]!;
      if (type === SYNC_TYPE) {
        records.push({ type });
        this.buffered = this.buffered.subarray(1);
        continue;
      }
      if (type !== CONNECT_TYPE && type !== OBSERVED_TYPE) return { records, error: `unknown record type ${type}` };
      if (this.buffered.length < 2) break;
      const n = this.buffered[1]!;
      if (n < 2 || n > MAX_IP_TEXT) return { records, error: `bad address length ${n}` };
      if (this.buffered.length < 2 + n + 2) break;
      const host = this.buffered.subarray(2, 2 + n).toString('latin1');
      const port = this.buffered.readUInt16BE(2 + n);
      if (isIP(host) === 0 || port === 0) return { records, error: 'bad address' };
      records.push({ type, address: { host, port } });
      this.buffered = this.buffered.subarray(4 + n);
    }
    return { records };
  }
}
