/**
 * Channel names, sent by the initiator in message 1:
 * "chat", "torrent " followed by the 40 lowercase hex digits of a BitTorrent v1 infohash,
 * a relay channel ("relay register", "relay to <base64url key>", "relay back <32 hex>",
 * "relay whoami"; docs/protocol.md, "Relays through a trusted node") or "punch" (the
 * end-to-end coordination of a direct upgrade, "Direct upgrade through the relay").
 */
import { errors } from '../errors.js';

export type ChannelKind = 'chat' | 'torrent' | 'relay' | 'punch';
export const CHAT_CHANNEL = 'chat';
const TORRENT_CHANNEL = /^torrent ([0-9a-f]{40})$/;

/** The channel for a torrent; throws BAD_CHANNEL for anything but a 40-hex-digit infohash. */
export function torrentChannel(infoHashHex: string): string {
  const channel = `torrent ${infoHashHex.toLowerCase()}`;
  if (!TORRENT_CHANNEL.test(channel)) throw errors.badChannel('an infohash', infoHashHex);
  return channel;
}

/** The kind of a well-formed channel name, or undefined. */
export function channelKind(channel: string): ChannelKind | undefined {
  if (channel === CHAT_CHANNEL) return 'chat';
  if (TORRENT_CHANNEL.test(channel)) return 'torrent';
  if (RELAY_CHANNEL.test(channel)) return 'relay';
  if (channel === PUNCH_CHANNEL) return 'punch';
  return undefined;
}

/** The infohash a "torrent <40 hex>" channel names, or undefined. */
export function infoHashOf(channel: string): string | undefined {
  return TORRENT_CHANNEL.exec(channel)?.[1];
}

export const RELAY_REGISTER_CHANNEL = 'relay register';
const RELAY_TO = /^relay to ([A-Za-z0-9_-]{43})$/;
const RELAY_BACK = /^relay back ([0-9a-f]{32})$/;
const RELAY_CHANNEL = /^relay (register|whoami|to [A-Za-z0-9_-]{43}|back [0-9a-f]{32})$/;
/** "Which address do you see me at?": the relay answers with one OBSERVED record (relay/observed-address.ts). */
export const RELAY_WHOAMI_CHANNEL = 'relay whoami';
/** Coordinates a TCP simultaneous open with the other end of a relayed link (relay/hole-punch.ts). */
export const PUNCH_CHANNEL = 'punch';

export function relayToChannel(key: Uint8Array): string {
  return `relay to ${Buffer.from(key).toString('base64url')}`;
}

export function relayBackChannel(token: Uint8Array): string {
  return `relay back ${Buffer.from(token).toString('hex')}`;
}

/** What a relay channel asks for, or undefined for any other name. */
export function relayRequestOf(channel: string): { kind: 'register' } | { kind: 'whoami' } | { kind: 'to'; key: Buffer } | { kind: 'back'; token: string } | undefined {
  if (channel === RELAY_REGISTER_CHANNEL) return { kind: 'register' };
  if (channel === RELAY_WHOAMI_CHANNEL) return { kind: 'whoami' };
  const to = RELAY_TO.exec(channel);
  if (to) {
    const key = Buffer.from(to[1]!, 'base64url');
    return key.length === 32 ? { kind: 'to', key } : undefined;
  }
  const back = RELAY_BACK.exec(channel);
  return back ? { kind: 'back', token: back[1]! } : undefined;
}
