/**
 * swarm_pex for the peers of one torrent (the wire format is swarm-pex.ts, who is told about
 * whom pex-introductions.ts): sends each peer the peers it may meet, debounced, when the
 * peer set or a peer's `accept` list changes, and dials (through PexDialGate) the trusted
 * keys a peer introduces.
 */
import type { Torrent } from 'webtorrent';
import { decodeKeyText } from '../identity/key-text.js';
import type { PeerAddress } from '../net/peer-address.js';
import type { LinkNode, PeerLink } from '../net/peer-link.js';
import { PexDialGate } from './pex-dial-gate.js';
import { acceptList, mayIntroduce } from './pex-introductions.js';
import { createSwarmPexExtension, MAX_PEX_PEERS, type PexMessage } from './swarm-pex.js';

/**
 * Peers joining together are introduced in one message each; short, because getters of a
 * capped swarm can trade only once they know each other (300 ms before, with the dial burst
 * of 4, meshed 8 getters 1-3 s after each had reached the sharer).
 */
const PEX_DEBOUNCE_MS = 100;

/** What swarm_pex keeps of one peer's link. */
export interface PexParty {
  link: PeerLink;
  /** Where it can be dialled (what is passed on), once known. */
  listenAddress?: PeerAddress;
  sendPex?: (message: PexMessage) => void;
  /** What it accepts introductions to (its swarm_pex `accept`). */
  pexAccept?: Set<string>;
}

export interface TorrentPexOptions {
  torrent: Torrent;
  node: LinkNode;
  ownKeyText: string;
  /** Our listening port, advertised to peers (null: we do not accept connections). */
  listenPort: number | null;
  isAllowed(publicKey: Uint8Array): boolean;
  /** The torrent's peers now, by key. */
  parties(): Iterable<[string, PexParty]>;
  /** A key we hold a link to, or dropped: not dialled on a peer's word. */
  isKnown(keyText: string): boolean;
  /** True when a link to this key exists or a dial to it is under way. */
  isBusy(keyText: string): boolean;
  dial(address: PeerAddress, keyText: string): void;
}

export class TorrentPex {
  private readonly gate: PexDialGate;
  private timer: NodeJS.Timeout | undefined;
  private isClosed = false;

  constructor(private readonly options: TorrentPexOptions) {
    this.gate = new PexDialGate({ dial: options.dial, isBusy: options.isBusy });
  }

  /** The bittorrent-protocol extension for the wire of `party` (wire.use). */
  extensionFor(party: PexParty): unknown {
    return createSwarmPexExtension({
      onReady: (_wire, send) => {
        party.sendPex = send;
        send(this.messageFor(party));
      },
      onMessage: (_wire, message) => this.onMessage(party, message),
    });
  }

  /** The peer set changed: everyone hears about it once things settle. */
  schedule(): void {
    if (this.timer || this.isClosed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const [, party] of this.options.parties()) party.sendPex?.(this.messageFor(party));
    }, PEX_DEBOUNCE_MS);
  }

  close(): void {
    this.isClosed = true;
    clearTimeout(this.timer);
    this.gate.close();
  }

  private messageFor(recipient: PexParty): PexMessage {
    const { infoHash } = this.options.torrent;
    const ownKey = decodeKeyText(this.options.ownKeyText);
    const asParty = (party: PexParty) => ({ key: party.link.remoteKey, accept: party.pexAccept });
    const peers: PexMessage['peers'] = [];
    for (const [key, party] of this.options.parties()) {
      if (party === recipient || !party.listenAddress || peers.length >= MAX_PEX_PEERS) continue;
      // Only peers that trust the recipient, and that it trusts (pex-introductions.ts).
      if (!mayIntroduce(infoHash, ownKey, asParty(party), asParty(recipient))) continue;
      peers.push({ host: party.listenAddress.host, port: party.listenAddress.port, key });
    }
    const trusted = (this.options.node.trustedKeys?.() ?? []).filter((key) => this.options.isAllowed(key));
    return { listen: this.options.listenPort, peers, accept: acceptList(infoHash, recipient.link.remoteKey, trusted) };
  }

  private onMessage(from: PexParty, message: PexMessage): void {
    if (message.listen !== null && !from.listenAddress && from.link.via === undefined) {
      from.listenAddress = { host: from.link.remoteHost, port: message.listen };
      this.schedule();
    }
    const accept = new Set(message.accept ?? []);
    if (accept.size !== (from.pexAccept?.size ?? -1) || [...accept].some((hash) => !from.pexAccept!.has(hash))) {
      const isFirst = from.pexAccept === undefined;
      from.pexAccept = accept;
      // A newcomer hears whom it may meet at once (the debounce is for telling everyone).
      if (isFirst) from.sendPex?.(this.messageFor(from));
      this.schedule();
    }
    for (const peer of message.peers) {
      if (peer.key === this.options.ownKeyText || this.options.isKnown(peer.key)) continue;
      let publicKey: Uint8Array;
      try {
        publicKey = decodeKeyText(peer.key);
      } catch {
        continue;
      }
      if (!this.options.isAllowed(publicKey)) continue;
      // Both ends learn of each other; only the smaller key dials, unless we cannot be dialled.
      if (this.options.listenPort === null || this.options.ownKeyText < peer.key) {
        this.gate.offer({ host: peer.host, port: peer.port }, peer.key, from.link.remoteHost);
      }
    }
  }
}
