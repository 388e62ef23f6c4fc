/**
 * The responder's side of handshake v2 once mac1 has passed (or on a stream a relay or a
 * hole punch hands over): the CPU budget for Diffie-Hellman (handshake-budget.ts), cookie
 * replies under load, the node-wide replay window, and the channel decision, which stays
 * the node's. One per node; the listener's accept path before mac1 is inbound-gate.ts.
 */
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { secureInbound } from '../secure/establish-channel.js';
import { CookieChecker } from '../secure/handshake-macs.js';
import { ReplayWindow } from '../secure/replay-window.js';
import type { SecureChannel } from '../secure/secure-channel.js';
import { DEFAULT_HANDSHAKE_RATES, HandshakeBudget } from './handshake-budget.js';
import type { SwarmNodeOptions } from './swarm-node-options.js';

export interface Peer {
  host: string;
  port: number;
}

/** How the node decides a channel: null accepts, a string refuses with that reason. */
export type DecideChannel = (channel: SecureChannel, peer: Peer, via?: string, isPunched?: boolean) => string | null;

export class InboundHandshakes {
  private readonly budget: HandshakeBudget;
  private readonly cookies: CookieChecker;
  private readonly replayWindow = new ReplayWindow();

  constructor(
    private readonly options: SwarmNodeOptions,
    private readonly decide: DecideChannel,
  ) {
    this.budget = new HandshakeBudget({ ...DEFAULT_HANDSHAKE_RATES, ...options.handshakeRates });
    this.cookies = new CookieChecker(options.identity.publicKey);
  }

  /**
   * A message 1 with a valid mac1 came in on a listener's socket (`early`: the bytes read,
   * `acceptedMs`: when, for the deadline). Under load (someone is waiting for a budget turn)
   * a message 1 without a valid mac2 gets a cookie reply first.
   */
  answerListener(socket: Socket, peer: Peer, early: Buffer, acceptedMs: number): Promise<SecureChannel> {
    return secureInbound(socket, {
      ...this.common(peer),
      early: { bytes: early, startMs: acceptedMs },
      decideChannel: (channel) => this.decide(channel, peer),
      cookies: this.cookies,
      isUnderLoad: () => this.budget.waiting > 0,
      source: `${peer.host}:${peer.port}`,
    });
  }

  /** A handshake on a stream handed over by a relay (`via`) or a hole punch, from its first byte. */
  answerStream(raw: Duplex, peer: Peer, via?: string, isPunched = false): Promise<SecureChannel> {
    return secureInbound(raw, { ...this.common(peer), decideChannel: (channel) => this.decide(channel, peer, via, isPunched) });
  }

  /** Handshakes waiting for a CPU turn: while any wait, the node is under load (cookie replies go out). */
  get waiting(): number {
    return this.budget.waiting;
  }

  close(): void {
    this.budget.close();
  }

  private common(peer: Peer) {
    const { options } = this;
    return {
      identity: options.identity,
      allows: (key: Uint8Array) => options.trust.allows(key),
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      maxFrameBytes: options.maxFrameBytes,
      waitForTurn: () => this.budget.requestTurn(peer.host),
      replayWindow: this.replayWindow,
    };
  }
}
