/**
 * Channel names, sent by the initiator as the first transport message:
 * "chat", or "torrent " followed by the 40 lowercase hex digits of a BitTorrent v1 infohash.
 */
import { errors } from '../errors.js';

export type ChannelKind = 'chat' | 'torrent';
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
  return undefined;
}

/** The infohash a "torrent <40 hex>" channel names, or undefined. */
export function infoHashOf(channel: string): string | undefined {
  return TORRENT_CHANNEL.exec(channel)?.[1];
}
