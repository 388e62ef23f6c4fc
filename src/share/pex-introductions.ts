/**
 * Who swarm_pex introduces to whom. A node holds the address and key of every peer of a
 * torrent; telling all of them to all the others would let any getter learn who else
 * fetches the file (and from where), even peers that never chose to trust that getter.
 *
 * So each peer says, in its swarm_pex message, which keys it accepts introductions to
 * (`accept`: the keys it trusts, hashed), and the node introduces A to B only when A
 * accepts B and B accepts A. A's address and key therefore reach only peers A trusts,
 * and B is not told about peers it would refuse anyway.
 *
 * acceptHash = first 8 bytes of SHA-256("swarm-pex-accept-v1" || infohash || recipient key
 * || accepted key), hex. Salted with the receiving node's key and the torrent, so a list
 * sent to one node cannot be checked by a node that does not know that node's key, and
 * lists are not linkable across torrents. What the receiving node does learn: for every
 * key it knows, whether the sender trusts it (docs/protocol.md, swarm_pex).
 */
import { sha256 } from '../crypto/hash.js';

/** How many accepted keys a peer lists (a larger trust list is cut, so some introductions are missed). */
export const MAX_ACCEPT_HASHES = 256;
const LABEL = Buffer.from('swarm-pex-accept-v1');
export const ACCEPT_HASH_HEX_CHARS = 16;

export function acceptHash(infoHash: string, recipientKey: Uint8Array, acceptedKey: Uint8Array): string {
  return sha256(LABEL, Buffer.from(infoHash, 'hex'), recipientKey, acceptedKey).toString('hex').slice(0, ACCEPT_HASH_HEX_CHARS);
}

/** The `accept` list to send to `recipientKey`: our trusted keys (except its own), hashed for it. */
export function acceptList(infoHash: string, recipientKey: Uint8Array, trustedKeys: Uint8Array[]): string[] {
  const recipient = Buffer.from(recipientKey);
  return trustedKeys
    .filter((key) => !recipient.equals(key))
    .slice(0, MAX_ACCEPT_HASHES)
    .map((key) => acceptHash(infoHash, recipientKey, key));
}

export interface IntroductionParty {
  key: Uint8Array;
  /** The hashes this peer sent us (undefined: it said nothing, so it accepts nobody). */
  accept?: ReadonlySet<string>;
}

/** Whether the node `ownKey` may tell `recipient` about `subject` (and its address). */
export function mayIntroduce(infoHash: string, ownKey: Uint8Array, subject: IntroductionParty, recipient: IntroductionParty): boolean {
  if (!subject.accept || !recipient.accept) return false;
  return subject.accept.has(acceptHash(infoHash, ownKey, recipient.key)) && recipient.accept.has(acceptHash(infoHash, ownKey, subject.key));
}
