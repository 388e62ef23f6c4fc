/**
 * The first bytes on every swarm TCP connection, sent by both sides before Noise:
 *
 *   1. 5 bytes  ASCII "SWARM"   protocol magic: anything else is not a swarm node
 *   2. 1 byte   version (1)     a mismatch is refused with both versions named
 *
 * The initiator sends its preamble with the first Noise message; the responder sends its own
 * with the second, or alone just before closing when the initiator's is wrong, so that the
 * initiator can explain a version mismatch instead of reporting a bare disconnect. The
 * version is also in the Noise prologue, so a tampered preamble makes the handshake fail.
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
