/**
 * Dialling an address without a key (docs/protocol.md section 1, "Dialling by address
 * only"). Handshake v2 is addressed to the responder's key and a node is silent to every
 * other, so the dialler tries its trusted keys: at most MAX_KEY_GUESSES, in rounds of
 * KEY_GUESSES_PER_ROUND connections at once (a responder keeps at most 8 pending
 * connections per source address). A round ends when one key answers (the other
 * connections are closed at once) or when every guess has failed; only silence moves on
 * to the next round, any other failure (refused, unreachable, a v1 node) ends the search.
 */
import { errors, isSwarmError } from '../errors.js';
import type { Socket } from 'node:net';
import type { SecureChannel } from '../secure/secure-channel.js';

export const MAX_KEY_GUESSES = 32;
export const KEY_GUESSES_PER_ROUND = 4;

/** Dials one key; reports its socket as soon as it exists so a round can close it. */
export type KeyDial = (key: Uint8Array, onSocket: (socket: Socket) => void) => Promise<SecureChannel>;

/** A failed guess: the node there did not answer that key (silence), so another key may. */
export function isSilentFailure(error: unknown): boolean {
  return isSwarmError(error) && (error.code === 'NO_ANSWER' || error.code === 'HANDSHAKE_TIMEOUT' || error.code === 'CONNECTION_CLOSED');
}

export async function searchKey(address: string, orderedKeys: Uint8Array[], dial: KeyDial, isClosed: () => boolean): Promise<SecureChannel> {
  const keys = orderedKeys.slice(0, MAX_KEY_GUESSES);
  for (let start = 0; start < keys.length; start += KEY_GUESSES_PER_ROUND) {
    const outcome = await guessRound(keys.slice(start, start + KEY_GUESSES_PER_ROUND), dial);
    if (outcome.secure) return outcome.secure;
    if (!isSilentFailure(outcome.error)) throw outcome.error;
    if (isClosed()) throw errors.nodeClosed();
  }
  throw errors.noKeyAnswered(address, keys.length);
}

/** One connection per key at once; the first to answer wins and the others are closed. */
function guessRound(keys: Uint8Array[], dial: KeyDial): Promise<{ secure?: SecureChannel; error?: unknown }> {
  return new Promise((resolve) => {
    const sockets: Socket[] = [];
    let left = keys.length;
    let isSettled = false;
    const settle = (outcome: { secure?: SecureChannel; error?: unknown }, winner?: Socket) => {
      isSettled = true;
      for (const socket of sockets) if (socket !== winner) socket.destroy();
      resolve(outcome);
    };
    for (const key of keys) {
      let own: Socket | undefined;
      dial(key, (socket) => {
        own = socket;
        if (isSettled) socket.destroy();
        else sockets.push(socket);
      }).then(
        (secure) => {
          if (isSettled) secure.close();
          else settle({ secure }, own);
        },
        (error: unknown) => {
          left--;
          if (isSettled) return;
          if (!isSilentFailure(error) || left === 0) settle({ error });
        },
      );
    }
  });
}
