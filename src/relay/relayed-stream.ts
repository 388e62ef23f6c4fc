/**
 * A node:stream Duplex over a link's application bytes, so a second handshake v2 can run
 * inside a link to a relay (secure/ drives a node Duplex: cork, writableLength, isPaused).
 * Ending one ends the other's direction; destroying either closes the outer link.
 */
import { Duplex } from 'node:stream';
import type { PeerLink } from '../net/peer-link.js';

export function relayedStream(link: PeerLink): Duplex {
  const outer = link.stream;
  let onDrain: (() => void) | undefined;
  const duplex = new Duplex({
    read() {
      outer.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      if (outer.write(chunk)) return callback();
      onDrain = () => {
        onDrain = undefined;
        callback();
      };
      outer.once('drain', onDrain);
    },
    final(callback) {
      outer.end();
      callback();
    },
    destroy(error, callback) {
      if (onDrain) outer.off('drain', onDrain);
      if (!outer.destroyed) link.close();
      callback(error);
    },
  });
  outer.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) outer.pause();
  });
  outer.on('end', () => duplex.push(null));
  outer.on('error', () => {});
  outer.once('close', () => duplex.destroy());
  return duplex;
}
