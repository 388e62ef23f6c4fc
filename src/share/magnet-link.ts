/**
 * swarm's magnet links: valid BitTorrent magnets (BEP 9) that any client can parse,
 * carrying nothing that points at a public tracker, DHT or web seed.
 *
 *   magnet:?xt=urn:btih:<40 hex>&dn=<name>&xl=<bytes>&x.pe=<host:port>[&x.pe=…]&x.key=<swarm key text>
 *
 * 1. `xt` — the v1 infohash, lowercase hex (required).
 * 2. `dn`, `xl` — display name and total size; hints only, the metadata decides.
 * 3. `x.pe` — the sharer's listening address(es) (BEP 9 "peer address"); swarm dials
 *    them only through the secure channel, expecting `x.key`.
 * 4. `x.relay` — a relay the sharer is registered with (host:port, repeatable), dialled when
 *    `x.pe` cannot be reached, or alone when there is no x.pe (docs/protocol.md, "Relays through a trusted node").
 * 5. `x.key` — the sharer's key text; `swarm get` refuses a link whose key it does not trust.
 * We build the string ourselves: webtorrent's `magnetURI` would list public trackers.
 */
import { errors } from '../errors.js';
import { decodeKeyText } from '../identity/key-text.js';
import { formatPeerAddress, parsePeerAddress, type PeerAddress } from '../net/peer-address.js';

export interface MagnetLink {
  infoHash: string;
  name?: string;
  length?: number;
  peers: PeerAddress[];
  keyText?: string;
  /** x.relay: relays the sharer is registered with. */
  relays?: PeerAddress[];
}

const MAGNET_PREFIX = 'magnet:?';
const BTIH_PREFIX = 'urn:btih:';
const MAX_MAGNET_CHARS = 8192;

const badMagnet = errors.badMagnet;

export function buildMagnetLink(link: MagnetLink): string {
  if (!/^[0-9a-f]{40}$/.test(link.infoHash)) throw new RangeError('infoHash must be 40 lowercase hex characters');
  const params: string[] = [`xt=${BTIH_PREFIX}${link.infoHash}`];
  if (link.name !== undefined) params.push(`dn=${encodeURIComponent(link.name)}`);
  if (link.length !== undefined) params.push(`xl=${link.length}`);
  for (const peer of link.peers) params.push(`x.pe=${encodeURIComponent(formatPeerAddress(peer))}`);
  for (const relay of link.relays ?? []) params.push(`x.relay=${encodeURIComponent(formatPeerAddress(relay))}`);
  if (link.keyText !== undefined) params.push(`x.key=${encodeURIComponent(link.keyText)}`);
  return MAGNET_PREFIX + params.join('&');
}

/**
 * True for a link that carries nothing but its infohash. `swarm share` always adds dn, xl,
 * x.pe and x.key, so this is what is left when an unquoted link was cut by the shell at its
 * first `&` (which also sent `swarm get` to the background).
 */
export function looksCutByShell(link: MagnetLink): boolean {
  return link.name === undefined && link.length === undefined && link.peers.length === 0 && link.keyText === undefined;
}

/** Parses and checks a magnet link; anything malformed is a SwarmError (BAD_MAGNET). */
export function parseMagnetLink(text: string): MagnetLink {
  const trimmed = text.trim();
  if (trimmed.length > MAX_MAGNET_CHARS) throw badMagnet('it is too long');
  if (!trimmed.toLowerCase().startsWith(MAGNET_PREFIX)) throw badMagnet('it must start with "magnet:?"');
  let infoHash: string | undefined;
  const result: MagnetLink = { infoHash: '', peers: [] };
  for (const part of trimmed.slice(MAGNET_PREFIX.length).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    let value: string;
    try {
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      throw badMagnet(`parameter ${key} is not valid percent-encoding`);
    }
    switch (key) {
      case 'xt': {
        if (!value.toLowerCase().startsWith(BTIH_PREFIX)) continue; // other xt kinds are allowed, not used
        const hash = value.slice(BTIH_PREFIX.length);
        if (!/^[0-9a-fA-F]{40}$/.test(hash)) throw badMagnet('xt must be urn:btih: followed by 40 hex characters');
        if (infoHash && infoHash !== hash.toLowerCase()) throw badMagnet('it names two different infohashes');
        infoHash = hash.toLowerCase();
        break;
      }
      case 'dn':
        result.name = value;
        break;
      case 'xl':
        if (!/^\d{1,16}$/.test(value)) throw badMagnet('xl must be a byte count');
        result.length = Number(value);
        break;
      case 'x.pe': {
        const peer = parsePeerAddress(value);
        if (!peer) throw badMagnet(`x.pe ${JSON.stringify(value)} is not host:port`);
        result.peers.push(peer);
        break;
      }
      case 'x.relay': {
        const relay = parsePeerAddress(value);
        if (!relay) throw badMagnet(`x.relay ${JSON.stringify(value)} is not host:port`);
        (result.relays ??= []).push(relay);
        break;
      }
      case 'x.key':
        decodeKeyText(value); // throws BAD_KEY with its own explanation
        result.keyText = value.trim();
        break;
      default:
        // tr, ws, xs, as and unknown parameters are ignored: swarm never contacts them.
        break;
    }
  }
  if (!infoHash) throw badMagnet('it has no xt=urn:btih:<infohash>');
  result.infoHash = infoHash;
  return result;
}
