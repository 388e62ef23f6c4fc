/**
 * Direct upgrade of a relayed link (docs/protocol.md, "Direct upgrade through the relay";
 * libp2p DCUtR over TCP). The dialler D, once its link to T runs through a relay:
 * 1. asks the relay where it sees D (`relay whoami`) and picks a free local port P;
 * 2. opens a second relayed link to T on the `punch` channel (end to end, handshake v2, so
 *    the relay cannot read or forge the candidates) and sends CONNECT(observed ip, P); T does
 *    the same on its side and answers CONNECT with its own;
 * 3. measures the round trip with SYNC / SYNC, sends SYNC again and dials T rtt/2 later; T
 *    dials D on receiving it: the two SYNs cross (simultaneous-open.ts);
 * 4. runs handshake v2 on the new socket, D as the initiator, for the relayed link's channel.
 * Both ends' torrents then prefer the direct link and close the relayed one (share/duplicate-link.ts).
 * Failure leaves the relayed link as it was, reported once by D after its last round.
 * Bounded: a few rounds per key and channel, a deadline for the coordination, a count and a
 * window for the dials.
 */
import { EventEmitter } from 'node:events';
import { hasErrorCode } from '../errors.js';
import { isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { infoHashOf, PUNCH_CHANNEL, relayToChannel, type ChannelKind } from '../net/channel-name.js';
import { formatPeerAddress, type PeerAddress } from '../net/peer-address.js';
import type { PeerLink } from '../net/peer-link.js';
import { isPassingRefusal, refusalReason } from '../net/refusal-reason.js';
import { askObservedAddress } from './observed-address.js';
import { PunchSession } from './punch-session.js';
import type { RelayAddress } from './relay-address.js';
import { relayedStream } from './relayed-stream.js';
import { DEFAULT_OPEN_LIMITS, freeLocalPort, simultaneousOpen, type SimultaneousOpenLimits } from './simultaneous-open.js';

/** whoami, the punch link and the CONNECT/SYNC exchange, in all. */
export const PUNCH_SETUP_TIMEOUT_MS = 10_000;
/** Upgrade rounds per key and channel in a run: against a router that answers SYNs with a RST, each round is a race. */
export const MAX_ROUNDS_PER_LINK = 3;
/** The pause after a failed round. */
export const ROUND_RETRY_DELAY_MS = 2000;
/** Punch links answered at once (each holds a port and a dial loop). */
const MAX_ANSWERING = 4;

export interface PunchNode {
  connect(host: string, port: number, channel: string, opts?: { expectedKey?: Uint8Array }): Promise<PeerLink>;
  connectOver(raw: Duplex, channel: string, expectedKey: Uint8Array, via: PeerAddress): Promise<PeerLink>;
  connectOn(socket: Socket, channel: string, expectedKey: Uint8Array): Promise<PeerLink>;
  acceptOn(socket: Socket): Promise<boolean>;
  adopt(link: PeerLink): boolean;
  handle(kind: ChannelKind, handler: (link: PeerLink) => void | boolean | string): void;
}

/** The 'direct' event: a relayed link moved to a direct one ('up'), or stays relayed ('failed'). */
export interface DirectEvent {
  state: 'up' | 'failed';
  key: string;
  /** Which end: the dialler of the relayed link, or the node it reached. */
  role: 'dialler' | 'answerer';
  /** The peer's address on the direct link (its router's public address and port). */
  address?: string;
  attempts?: number;
  /** Rounds it took (the dialler's count). */
  rounds?: number;
  ms?: number;
  reason?: string;
}

export interface HolePunchOptions {
  limits?: SimultaneousOpenLimits;
  setupTimeoutMs?: number;
  retryDelayMs?: number;
}

export class HolePuncher extends EventEmitter {
  private readonly rounds = new Map<string, number>();
  private readonly busy = new Set<string>();
  private readonly direct = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private answering = 0;
  private isClosed = false;

  constructor(private readonly node: PunchNode, private readonly options: HolePunchOptions = {}) {
    super();
    node.handle('punch', (link) => this.answer(link));
  }

  close(): void {
    this.isClosed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** D's side: a torrent link to a key came up through `relay`; try to move it off the relay. */
  upgrade(relayed: PeerLink, relay: RelayAddress): void {
    if (this.isClosed || infoHashOf(relayed.channel) === undefined) return;
    const id = `${relayed.remoteKeyText} ${relayed.channel}`;
    if (this.busy.has(id) || this.direct.has(id) || (this.rounds.get(id) ?? 0) >= MAX_ROUNDS_PER_LINK) return;
    this.busy.add(id);
    this.round(relayed, relay, id, performance.now());
  }

  /** One round; a failed one is followed by another after a pause, while the relayed link lasts and rounds remain. */
  private round(relayed: PeerLink, relay: RelayAddress, id: string, startMs: number): void {
    const round = (this.rounds.get(id) ?? 0) + 1;
    this.rounds.set(id, round);
    this.dial(relayed, relay).then(
      ({ link, address, attempts }) => {
        this.busy.delete(id);
        this.direct.add(id);
        link.stream.once('close', () => this.direct.delete(id));
        this.report({ state: 'up', key: relayed.remoteKeyText, role: 'dialler', address, attempts, rounds: round, ms: Math.round(performance.now() - startMs) });
      },
      (error: unknown) => {
        if (round < MAX_ROUNDS_PER_LINK && !declinedPunches.has(error as object) && !relayed.stream.destroyed && !this.isClosed) {
          const timer = setTimeout(() => {
            this.timers.delete(timer);
            this.round(relayed, relay, id, startMs);
          }, this.options.retryDelayMs ?? ROUND_RETRY_DELAY_MS);
          this.timers.add(timer);
          return;
        }
        this.busy.delete(id);
        this.report({ state: 'failed', key: relayed.remoteKeyText, role: 'dialler', rounds: round, reason: error instanceof Error ? error.message : String(error) });
      },
    );
  }

  private report(event: DirectEvent): void {
    if (!this.isClosed) this.emit('direct', event);
  }

  private get limits(): SimultaneousOpenLimits {
    return this.options.limits ?? DEFAULT_OPEN_LIMITS;
  }

  private get setupTimeoutMs(): number {
    return this.options.setupTimeoutMs ?? PUNCH_SETUP_TIMEOUT_MS;
  }

  private async dial(relayed: PeerLink, relay: RelayAddress): Promise<{ link: PeerLink; address: string; attempts: number }> {
    const key = relayed.remoteKey;
    const [localPort, observed] = await Promise.all([freeLocalPort(familyOf(relay.host)), askObservedAddress(this.node, relay, relay.key, this.setupTimeoutMs)]);
    const outer = await this.node.connect(relay.host, relay.port, relayToChannel(key), relay.key ? { expectedKey: relay.key } : undefined);
    // Only the other end's answer to the punch link itself says it will not take part: a
    // timeout on the way to the relay or on the punched socket may pass.
    const punchLink = await this.node.connectOver(relayedStream(outer), PUNCH_CHANNEL, key, relay).catch((error: unknown) => {
      if (isFinalRefusal(error)) declinedPunches.add(error as object);
      throw error;
    });
    const session = new PunchSession(punchLink, this.setupTimeoutMs);
    try {
      session.sendConnect({ host: observed.host, port: localPort });
      const peer = await session.nextConnect();
      refuseOwn(peer, { host: observed.host, port: localPort });
      const pingMs = performance.now();
      session.sendSync();
      await session.nextSync();
      const rttMs = performance.now() - pingMs;
      session.sendSync();
      session.done();
      // T starts on this SYNC, half a round trip from now: so do we.
      await sleep(rttMs / 2);
      const socket = await this.open(peer, localPort, () => relayed.stream.destroyed);
      const link = await this.node.connectOn(socket.socket, relayed.channel, key);
      if (!this.node.adopt(link)) throw new Error('the direct link was refused');
      return { link, address: formatPeerAddress(peer), attempts: socket.attempts };
    } finally {
      session.close();
    }
  }

  private async open(peer: PeerAddress, localPort: number, isCancelled: () => boolean = () => this.isClosed): Promise<{ socket: Socket; attempts: number }> {
    const result = await simultaneousOpen(peer, localPort, this.limits, () => this.isClosed || isCancelled());
    if (!result.socket) throw new Error(`no direct path to ${formatPeerAddress(peer)} (${result.attempts} dials; last: ${result.lastError})`);
    return { socket: result.socket, attempts: result.attempts };
  }

  /** T's side: a `punch` link from a trusted key, through a relay we are registered with. */
  private answer(link: PeerLink): boolean | string {
    if (this.isClosed) return refusalReason('closing', 'this node is stopping');
    if (link.via === undefined) return refusalReason('no-service', 'a direct upgrade is arranged only through a relay');
    if (this.answering >= MAX_ANSWERING) return refusalReason('busy', 'too many direct upgrades at once');
    this.answering += 1;
    const startMs = performance.now();
    this.answerPunch(link).then(
      ({ address, attempts }) => this.report({ state: 'up', key: link.remoteKeyText, role: 'answerer', address, attempts, ms: Math.round(performance.now() - startMs) }),
      // The dialler reports the failure, once, after its last round: here only for tests and debugging.
      (error: unknown) => this.emit('answer-failed', { key: link.remoteKeyText, reason: error instanceof Error ? error.message : String(error) }),
    ).finally(() => (this.answering -= 1));
    return true;
  }

  private async answerPunch(link: PeerLink): Promise<{ address: string; attempts: number }> {
    const session = new PunchSession(link, this.setupTimeoutMs);
    const relay = { host: link.remoteHost, port: link.remotePort };
    try {
      // Asked while D's CONNECT is on its way; the relay's key is the one our register link found there.
      const ours = Promise.all([freeLocalPort(familyOf(relay.host)), askObservedAddress(this.node, relay, undefined, this.setupTimeoutMs)]);
      ours.catch(() => {});
      const peer = await session.nextConnect();
      const [localPort, observed] = await ours;
      refuseOwn(peer, { host: observed.host, port: localPort });
      session.sendConnect({ host: observed.host, port: localPort });
      await session.nextSync();
      session.sendSync();
      await session.nextSync();
      session.done();
      const { socket, attempts } = await this.open(peer, localPort);
      // D runs the handshake (it is the initiator); we answer it as our listener would.
      if (!(await this.node.acceptOn(socket))) throw new Error('the handshake on the direct link failed');
      return { address: formatPeerAddress(peer), attempts };
    } finally {
      session.close();
    }
  }
}

/** Errors of a punch link the other end declined (isFinalRefusal): no further round. */
const declinedPunches = new WeakSet<object>();

/**
 * The other end will not take part however often we ask (it runs with --no-direct, so it
 * serves no punch channel, or it does not answer our key): another round only costs it a
 * relayed handshake and us the pause.
 */
function isFinalRefusal(error: unknown): boolean {
  if (hasErrorCode(error, 'REFUSED_BY_PEER')) return !isPassingRefusal(error.reason ?? '');
  return hasErrorCode(error, 'NO_ANSWER', 'NO_KEY_ANSWERED', 'UNTRUSTED_PEER');
}

/** Both ends behind one address chose the same port: a dial would connect to itself. */
function refuseOwn(peer: PeerAddress, own: PeerAddress): void {
  if (peer.host === own.host && peer.port === own.port) throw new Error(`the other end's candidate ${formatPeerAddress(peer)} is our own`);
}

function familyOf(host: string): 4 | 6 {
  return isIP(host) === 6 ? 6 : 4;
}
