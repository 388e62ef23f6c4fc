/**
 * Notices dead links in seconds instead of the ~15 minutes TCP takes to give up on a path
 * that went silent (roaming, NAT rebinding, sleep, a cut cable): every open link sends an
 * ALIVE frame when it has sent nothing for a third of its timeout (at most every 5 s), a
 * link that has heard nothing for half its timeout sends a PING (answered at once, so a
 * peer with a longer timeout, hence rarer ALIVEs, cannot look dead), and a link that has
 * heard nothing for the whole timeout is closed with LINK_TIMEOUT. Each node may so pick
 * its own timeout.
 *
 * Backpressure does not look like death: any byte counts as life (a bulk sender's data
 * frames, the receiver's ALIVEs, which travel the other, free direction), and while we
 * ourselves stopped reading (our reader is full) silence proves nothing, so the clock
 * restarts when we read again. A timer that fires late (our event loop was blocked) also
 * restarts the clock: the peer's bytes may be waiting unread in our socket.
 */
import { errors } from '../errors.js';
import { FrameType } from '../secure/frame-types.js';
import type { SecureChannel } from '../secure/secure-channel.js';

export const DEFAULT_LINK_TIMEOUT_MS = 15_000;
/** Environment override of DEFAULT_LINK_TIMEOUT_MS (tests, and networks with long stalls). */
export const LINK_TIMEOUT_ENV = 'SWARM_LINK_TIMEOUT_MS';
const MIN_LINK_TIMEOUT_MS = 300;
const MAX_LINK_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** How long an old link gets to answer a PING before a new link from its key replaces it. */
export const DEFAULT_PROBE_MS = 1500;
/** The longest an idle link goes without an ALIVE, whatever its own timeout. */
const MAX_KEEPALIVE_MS = 5000;
const MAX_TICK_MS = 1000;

/** The link timeout from the environment, or the default when unset or unusable. */
export function linkTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[LINK_TIMEOUT_ENV];
  const value = text === undefined || text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) return DEFAULT_LINK_TIMEOUT_MS;
  return Math.min(Math.max(Math.round(value), MIN_LINK_TIMEOUT_MS), MAX_LINK_TIMEOUT_MS);
}

/** Keeps one open channel's liveness until it closes. */
export function watchLiveness(channel: SecureChannel, timeoutMs: number): void {
  const keepAliveMs = Math.min(timeoutMs / 3, MAX_KEEPALIVE_MS);
  // Checked at least every second, so a dead link is closed at most ~1 s after its timeout.
  const tickMs = Math.max(50, Math.min(MAX_TICK_MS, Math.floor(timeoutMs / 6)));
  let lastTickMs = Date.now();
  let lastPingMs = 0;
  const timer = setInterval(() => {
    const nowMs = Date.now();
    const wasLate = nowMs - lastTickMs > 2 * tickMs;
    lastTickMs = nowMs;
    // The peer cannot send after its end; our own end or a paused reader makes silence expected.
    if (wasLate || channel.isReadPaused || channel.hasPeerEnded) channel.lastHeardMs = nowMs;
    const silentMs = nowMs - channel.lastHeardMs;
    if (silentMs >= timeoutMs) return channel.fail(errors.linkTimeout(silentMs));
    if (silentMs >= timeoutMs / 2 && nowMs - lastPingMs >= timeoutMs / 4 && channel.sendControl(FrameType.ping)) {
      lastPingMs = nowMs;
      return;
    }
    if (nowMs - channel.lastSentMs >= keepAliveMs || wasLate) channel.sendControl(FrameType.alive);
  }, tickMs);
  timer.unref();
  channel.stream.once('close', () => clearInterval(timer));
}

/**
 * Asks an open link to show it is alive: sends a PING and resolves true if anything
 * arrives within `withinMs`; otherwise closes the link as dead and resolves false. A link
 * we are not reading (paused) is given the benefit of the doubt.
 */
export function probeLink(channel: SecureChannel, withinMs: number = DEFAULT_PROBE_MS): Promise<boolean> {
  if (!channel.canSend) return Promise.resolve(!channel.stream.destroyed);
  const sentAtMs = Date.now();
  channel.sendControl(FrameType.ping);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      channel.stream.off('close', onClose);
      if (channel.lastHeardMs >= sentAtMs || channel.isReadPaused) return resolve(true);
      channel.fail(errors.linkTimeout(Date.now() - channel.lastHeardMs));
      resolve(false);
    }, withinMs);
    timer.unref();
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    channel.stream.once('close', onClose);
  });
}
