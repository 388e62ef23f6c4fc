/**
 * Failures of reaching a peer and keeping the link: the secure handshake (v1 and v2) and
 * channel, listening and dialling, link liveness, and relays through a trusted node.
 */
import { makeError, type KeyData } from './swarm-error.js';

export const connectionErrors = {
  notSwarmPeer: () => makeError('NOT_SWARM_PEER', 'the remote end is not a swarm node (wrong protocol magic)', { hint: 'check the host and port' }),
  protocolVersion: (theirs: number, ours: number) =>
    makeError('PROTOCOL_VERSION', `the remote node speaks swarm protocol version ${theirs}; this node speaks version ${ours}`, {
      hint: theirs > ours ? 'upgrade swarm on this machine' : 'the other side needs to upgrade swarm',
    }),
  badHandshake: (why: string) => makeError('BAD_HANDSHAKE', `secure handshake failed: ${why}`, { reason: why }),
  /** This node refused the remote's authenticated key: it is not on the trust list. */
  untrustedPeer: (key: KeyData) =>
    makeError<'UNTRUSTED_PEER', keyof KeyData | 'reason'>('UNTRUSTED_PEER', `refused key ${key.fingerprint}: it is not on this node's trust list`, {
      hint: 'run `swarm trust add <key>` if you trust that person', ...key, reason: 'not trusted',
    }),
  /** The key was trusted when the handshake checked it, and no longer is. */
  revokedWhileConnecting: (key: KeyData) =>
    makeError<'UNTRUSTED_PEER', keyof KeyData | 'reason'>('UNTRUSTED_PEER', `key ${key.fingerprint} was removed from the trust store while connecting`, {
      ...key, reason: 'removed from the trust list',
    }),
  refusedByPeer: (reason: string) => makeError<'REFUSED_BY_PEER', 'reason'>('REFUSED_BY_PEER', `the remote node refused the connection: ${reason}`, { reason }),
  wrongPeerKey: (key: KeyData) =>
    makeError<'WRONG_PEER_KEY', keyof KeyData | 'reason'>('WRONG_PEER_KEY', `the remote node proved key ${key.fingerprint}, not the key that was expected`, {
      hint: 'someone else is listening at that address', ...key, reason: 'not the key that was expected',
    }),
  handshakeTimeout: (timeoutMs: number) => makeError('HANDSHAKE_TIMEOUT', `secure handshake did not finish within ${timeoutMs} ms`),
  frameTooLarge: (bytes: number, maxBytes: number) => makeError('FRAME_TOO_LARGE', `refused a ${bytes}-byte frame (limit ${maxBytes})`),
  badFrame: () => makeError('BAD_FRAME', 'a frame failed authentication (altered, replayed, reordered or forged); connection dropped'),
  truncated: () => makeError('TRUNCATED', 'the connection ended in the middle of the stream (truncated)'),
  connectionClosed: () => makeError('CONNECTION_CLOSED', 'the connection closed during the secure handshake'),
  /** This node refused an authenticated, trusted key's channel request. */
  channelRefused: (reason: string, key: KeyData) =>
    makeError<'CHANNEL_REFUSED', keyof KeyData | 'reason'>('CHANNEL_REFUSED', `refused channel: ${reason}`, { ...key, reason }),

  badChannel: (what: string, channel: string) => makeError('BAD_CHANNEL', `not ${what}: ${JSON.stringify(channel)}`),
  nodeClosed: () => makeError('NODE_CLOSED', 'the node is shutting down'),
  connectFailed: (host: string, port: number, why: string) =>
    makeError<'CONNECT_FAILED', 'address'>('CONNECT_FAILED', `could not connect to ${host}:${port} (${why})`, {
      hint: 'check the address, and that swarm is running there and reachable', address: `${host}:${port}`, reason: why,
    }),
  portInUse: (port: number, where: string) => makeError('PORT_IN_USE', `port ${port} is already in use (${where})`, { hint: 'choose another with --port, or --port 0 for any free port', address: where }),
  badHost: (where: string) => makeError('BAD_HOST', `cannot listen on ${where}: no such local address`, { hint: 'check --host', address: where }),
  portDenied: (where: string) => makeError('PORT_DENIED', `not allowed to listen on ${where}`, { hint: 'use a port above 1023', address: where }),
  listenFailed: (where: string, why: string) => makeError('LISTEN_FAILED', `cannot listen on ${where}: ${why}`, { address: where, reason: why }),
  // roaming: link liveness (net/link-liveness.ts)
  linkTimeout: (silentMs: number) =>
    makeError('LINK_TIMEOUT', `no sign of life from the peer for ${Math.round(silentMs / 100) / 10} s; link closed as dead`, {
      hint: 'the path to the peer died (a network change, sleep, a cut cable); it is redialled when it can be',
    }),
  // handshake v2 (issue 14)
  /** A message 1 whose mac1 is not for this node's key: dropped without Diffie-Hellman, silently. */
  badMac1: () => makeError('BAD_MAC1', 'a message 1 not made for this node\'s key (wrong mac1); ignored silently', { reason: 'wrong mac1' }),
  replayedHandshake: (key: KeyData) =>
    makeError<'REPLAYED_HANDSHAKE', keyof KeyData | 'reason'>('REPLAYED_HANDSHAKE', `refused a replayed handshake of key ${key.fingerprint} (timestamp not newer)`, { ...key, reason: 'replayed message 1' }),
  /** A v1 initiator reached this v2 node (it gets silence). */
  v1Initiator: () =>
    makeError('PROTOCOL_VERSION', 'a swarm protocol v1 node tried to connect; this node speaks v2 and stays silent to it', { hint: 'the other side needs to upgrade swarm', reason: 'protocol v1' }),
  /** This v2 node dialled a v1 node. */
  peerRunsV1: (address: string) =>
    makeError<'PROTOCOL_VERSION', 'address'>('PROTOCOL_VERSION', `peer ${address} runs swarm protocol v1; this node speaks v2, and both sides must run the same version`, { hint: 'the other side needs to upgrade swarm', address }),
  /** v2 responders are silent to keys they do not trust: not retried, since retrying gets the same silence. */
  handshakeUnanswered: (timeoutMs: number) =>
    makeError('NO_ANSWER', `no answer to the secure handshake within ${timeoutMs} ms: the node there does not trust your key, is not the key you dialled, or is not a swarm node`, {
      hint: 'check that they trust your key (swarm id shows it) and that the address and key are theirs',
    }),
  noKeyAnswered: (address: string, triedKeys: number) =>
    makeError<'NO_KEY_ANSWERED', 'address'>('NO_KEY_ANSWERED', `no trusted key answered at ${address} (tried ${triedKeys})`, {
      hint: 'the node there does not trust you, or is not one of your trusted keys; name its key with --peer <name>@host:port', address,
    }),
  // relays through a trusted node (issue 12)
  relayRefused: (address: string, who: string, reason: string) =>
    makeError<'RELAY_REFUSED', 'address' | 'reason'>('RELAY_REFUSED', `the relay at ${address} will not connect you to ${who}: ${reason}`, {
      hint: `the relay must trust both of you, and ${who} must be registered with it (running with --relay ${address})`, address, reason,
    }),
  relayUnanswered: (address: string) =>
    makeError<'RELAY_NO_ANSWER', 'address'>('RELAY_NO_ANSWER', `the relay at ${address} did not answer: it does not trust your key, or is not a relay you trust`, {
      hint: 'the relay\'s operator must trust your key (swarm trust add), and you its key; name it with --relay <name>@host:port', address,
    }),
  /** A direct dial failed and the peer named no relay (the error issue 12 asks for); stays CONNECT_FAILED, so it is retried. */
  unreachableNoRelay: (who: string, host: string, port: number, why: string) => {
    const text = `${who} is behind a router that does not forward their port and offers no relay: ask them to run with --relay, or to forward port ${port}`;
    return makeError<'CONNECT_FAILED', 'address' | 'reason'>('CONNECT_FAILED', text, { hint: `could not connect to ${host}:${port} (${why})`, address: `${host}:${port}`, reason: `${text} (${why})` });
  },
};
