/**
 * Protocol v1's preamble ("SWARM" then a version byte, sent first by both sides), kept so
 * tests and tools can play a v1 node. Protocol v2 (handshake-wire.ts) sends no preamble
 * from the responder; its initiator's message 1 starts with "SWARM" 0x02, which a v1 node
 * answers with its own preamble, and a v2 node recognises a v1 initiator by these 6 bytes.
 */
import { errors } from '../errors.js';

export const PROTOCOL_MAGIC = Buffer.from('SWARM', 'ascii');
export const PROTOCOL_VERSION = 1;
export const PREAMBLE_BYTES = PROTOCOL_MAGIC.length + 1;

export function encodePreamble(version: number = PROTOCOL_VERSION): Buffer {
  return Buffer.concat([PROTOCOL_MAGIC, Buffer.from([version])]);
}

/** Throws the SwarmError that explains why the remote preamble is not ours. */
export function checkPreamble(bytes: Uint8Array, ourVersion: number = PROTOCOL_VERSION): void {
  if (bytes.length !== PREAMBLE_BYTES || !Buffer.from(bytes.subarray(0, PROTOCOL_MAGIC.length)).equals(PROTOCOL_MAGIC)) {
    throw errors.notSwarmPeer();
  }
  const theirVersion = bytes[PROTOCOL_MAGIC.length]!;
  if (theirVersion !== ourVersion) throw errors.protocolVersion(theirVersion, ourVersion);
}

/** Noise prologue: names protocol and version, so both sides provably agree on them. */
export function noisePrologue(version: number = PROTOCOL_VERSION): Buffer {
  return Buffer.from(`swarm protocol v${version}`, 'ascii');
}
