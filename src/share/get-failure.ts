/**
 * Why a download cannot go on, in words that name the real cause: a sharer dropped for
 * what it sent, a refusal by its cause (net/refusal-reason.ts: the share stopped or
 * replaced, --allow leaving you out, your key not trusted), or --timeout passing while the
 * sharer was away. Only "not trusted" tells the user to ask for `swarm trust add`.
 */
import { errors, hasErrorCode, isSwarmError, type SwarmError } from '../errors.js';
import { decodeKeyText, fingerprint } from '../identity/key-text.js';
import { refusalCauseOf, refusalText } from '../net/refusal-reason.js';
import type { PeerDrop } from './torrent-peers.js';
import type { DialFailure } from './torrent-dialer.js';

export type NameOf = (keyText: string) => string | undefined;

/** The trust store's name for a key, else its short fingerprint, else the address dialed. */
export function peerLabel(key: string | undefined, address: string | undefined, nameOf?: NameOf): string {
  if (key) {
    const name = nameOf?.(key);
    if (name) return name;
    try {
      return fingerprint(decodeKeyText(key));
    } catch {
      return `${key.slice(0, 16)}…`;
    }
  }
  return address ? `the peer at ${address}` : 'the sharer';
}

/**
 * Why the last source went away, when we dropped it: its copy changed after it was shared,
 * or it served pieces that failed the hash check. Not "check that the sharer is running".
 */
export function droppedPeersError(drops: PeerDrop[], nameOf?: NameOf): SwarmError | undefined {
  const who = (drop: PeerDrop) => nameOf?.(drop.key) ?? `the peer with key ${drop.key.slice(0, 16)}…`;
  const changed = drops.find((drop) => drop.kind === 'changed');
  if (changed) return errors.sourceChanged(who(changed), changed.path ?? 'a file');
  const corrupt = drops.find((drop) => drop.kind === 'corrupt');
  if (corrupt) return errors.badPieces(who(corrupt), corrupt.reason);
  return undefined;
}

/** Every address was given up: say the cause that tells the user most, with its own next step. */
export function noPeerError(failures: DialFailure[], ownKeyText: string, nameOf?: NameOf): SwarmError {
  if (failures.length === 0) return errors.noPeerToFetch();
  for (const failure of failures) {
    const who = peerLabel(failure.key, failure.address, nameOf);
    const cause = hasErrorCode(failure.error, 'REFUSED_BY_PEER') ? refusalCauseOf(failure.error.reason ?? '') : undefined;
    if (cause === 'not-allowed') return errors.leftOutByAllow(who);
    if (cause === 'other-share') return errors.otherShare(who, failure.address);
    if (cause === 'no-share' || cause === 'no-service') return errors.shareStopped(who, failure.address);
  }
  const reasons = failures.map((f) => `${f.address}: ${describeError(f.error)}`).join('; ');
  const first = failures[0]!.error;
  // A v2 node is silent to a key it does not trust (NO_ANSWER, NO_KEY_ANSWERED): the likeliest cause.
  const isUntrusted = failures.some(
    (f) => (hasErrorCode(f.error, 'REFUSED_BY_PEER') && refusalCauseOf(f.error.reason ?? '') === 'not-trusted') || hasErrorCode(f.error, 'NO_ANSWER', 'NO_KEY_ANSWERED'),
  );
  const hint = isUntrusted
    ? `the sharer must trust your key and allow it for this share: ask them to run \`swarm trust add ${ownKeyText}\``
    : (isSwarmError(first) ? first.hint : undefined) ?? 'check that the sharer is running and reachable';
  return errors.noPeers(reasons, hint);
}

/** What is keeping us from a peer right now, short: "ECONNREFUSED", "this share is still being prepared…". */
export function waitReason(error: unknown): string {
  if (hasErrorCode(error, 'CONNECT_FAILED')) return error.reason ?? error.message;
  if (hasErrorCode(error, 'REFUSED_BY_PEER')) return `refused: ${refusalText(error.reason ?? '')}`;
  return describeError(error);
}

/** `dialed`: whom we were dialing, named when no dial has failed yet (a very slow or short run). */
export function timedOutError(after: string, waits: DialFailure[], dialed: { address: string; key?: string }[], keptText: string, nameOf?: NameOf): SwarmError {
  const unreachable = (who: { address: string; key?: string }, reason: string) => `${peerLabel(who.key, who.address, nameOf)} unreachable at ${who.address} (${reason})`;
  const why = waits.length > 0
    ? waits.map((w) => unreachable(w, waitReason(w.error))).join('; ')
    : dialed.map((d) => unreachable(d, 'no answer yet')).join('; ') || 'no peer answered';
  return errors.getTimedOut(after, why, keptText);
}

function describeError(error: unknown): string {
  if (hasErrorCode(error, 'REFUSED_BY_PEER')) return `the remote node refused the connection: ${refusalText(error.reason ?? '')}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
