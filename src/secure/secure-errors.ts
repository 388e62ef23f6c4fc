/**
 * The ways a secure connection fails, as SwarmErrors with a code a caller can branch on
 * and a sentence a user can act on. One place, so net/ and the CLI print the same words.
 */
import { SwarmError } from '../errors.js';

export const SecureErrorCode = {
  notSwarm: 'NOT_SWARM_PEER',
  version: 'PROTOCOL_VERSION',
  badHandshake: 'BAD_HANDSHAKE',
  untrusted: 'UNTRUSTED_PEER',
  refusedByPeer: 'REFUSED_BY_PEER',
  wrongKey: 'WRONG_PEER_KEY',
  timeout: 'HANDSHAKE_TIMEOUT',
  frameTooLarge: 'FRAME_TOO_LARGE',
  badFrame: 'BAD_FRAME',
  truncated: 'TRUNCATED',
  closed: 'CONNECTION_CLOSED',
} as const;

export const secureErrors = {
  notSwarm: () => new SwarmError(SecureErrorCode.notSwarm, 'the remote end is not a swarm node (wrong protocol magic)', { hint: 'check the host and port' }),
  version: (theirs: number, ours: number) =>
    new SwarmError(SecureErrorCode.version, `the remote node speaks swarm protocol version ${theirs}; this node speaks version ${ours}`, {
      hint: theirs > ours ? 'upgrade swarm on this machine' : 'the other side needs to upgrade swarm',
    }),
  badHandshake: (why: string) => new SwarmError(SecureErrorCode.badHandshake, `secure handshake failed: ${why}`),
  untrusted: (fingerprint: string) =>
    new SwarmError(SecureErrorCode.untrusted, `refused key ${fingerprint}: it is not on this node's trust list`, {
      hint: 'run `swarm trust add <key>` if you trust that person',
    }),
  refusedByPeer: (reason: string) => new SwarmError(SecureErrorCode.refusedByPeer, `the remote node refused the connection: ${reason}`),
  wrongKey: (fingerprint: string) =>
    new SwarmError(SecureErrorCode.wrongKey, `the remote node proved key ${fingerprint}, not the key that was expected`, {
      hint: 'someone else is listening at that address',
    }),
  timeout: (timeoutMs: number) => new SwarmError(SecureErrorCode.timeout, `secure handshake did not finish within ${timeoutMs} ms`),
  frameTooLarge: (bytes: number, maxBytes: number) =>
    new SwarmError(SecureErrorCode.frameTooLarge, `refused a ${bytes}-byte frame (limit ${maxBytes})`),
  badFrame: () => new SwarmError(SecureErrorCode.badFrame, 'a frame failed authentication (altered, replayed, reordered or forged); connection dropped'),
  truncated: () => new SwarmError(SecureErrorCode.truncated, 'the connection ended in the middle of the stream (truncated)'),
  closed: () => new SwarmError(SecureErrorCode.closed, 'the connection closed during the secure handshake'),
};
