/**
 * Finding the other side of `swarm pair` across the internet: the waiting side announces its
 * TCP port in the DHT under a key computed from the code's number and the current 5-minute
 * slot; the joining side looks up that key (this slot's and the previous one's) and dials
 * what it finds. Only the number goes into the key: it is public anyway (pairing-code.ts),
 * and anything derived from the words would let whoever sees the key test guesses offline.
 *
 *   pairing key = SHA-256("swarm-dht-pair-v1" || number u16 BE || slot u32 BE)[0..20]
 *   slot        = floor(Unix seconds / 300)
 */
import { setTimeout as delay } from 'node:timers/promises';
import { sha256 } from '../crypto/hash.js';
import { errors } from '../errors.js';
import type { PeerAddress } from '../net/peer-address.js';
import type { DhtNode } from './dht-node.js';
import { DHT_KEY_BYTES } from './dht-keys.js';

export const PAIRING_SLOT_S = 300;
/** A joiner asks again this often until something answers (each lookup is a bounded walk). */
const LOOKUP_EVERY_MS = 3000;
const LOOKUP_TIMEOUT_MS = 10_000;
const LABEL = new TextEncoder().encode('swarm-dht-pair-v1');

export function pairingSlot(nowMs: number): number {
  return Math.floor(nowMs / 1000 / PAIRING_SLOT_S);
}

export function pairingDhtKey(codeNumber: number, slot: number): Uint8Array {
  const tail = new Uint8Array(6);
  const view = new DataView(tail.buffer);
  view.setUint16(0, codeNumber);
  view.setUint32(2, slot);
  return sha256(LABEL, tail).subarray(0, DHT_KEY_BYTES);
}

/** The waiting side: announces now and again at every slot change, until stopped. */
export function announcePairing(dht: DhtNode, codeNumber: number, tcpPort: number): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;
  const announce = () => {
    if (isStopped) return;
    const nowMs = Date.now();
    void dht.announce(pairingDhtKey(codeNumber, pairingSlot(nowMs)), tcpPort);
    const nextSlotMs = (pairingSlot(nowMs) + 1) * PAIRING_SLOT_S * 1000;
    timer = setTimeout(announce, nextSlotMs - nowMs + 1000);
    timer.unref();
  };
  announce();
  return {
    stop: () => {
      isStopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * The joining side: looks up the current and previous slots' keys every few seconds and
 * resolves with the first address found; PAIR_NOT_FOUND after `timeoutMs`, or stops on `signal`.
 */
export async function findPairingInDht(dht: DhtNode, codeNumber: number, timeoutMs: number, signal?: AbortSignal): Promise<PeerAddress> {
  const deadline = Date.now() + timeoutMs;
  const leftMs = () => Math.max(0, deadline - Date.now());
  while (leftMs() > 0 && !signal?.aborted) {
    const slot = pairingSlot(Date.now());
    // Each walk ends by itself, at the latest when the deadline comes.
    const walkMs = Math.min(LOOKUP_TIMEOUT_MS, leftMs());
    const keys = [pairingDhtKey(codeNumber, slot), pairingDhtKey(codeNumber, slot - 1)];
    const found = await Promise.any(keys.map((key) => lookupFirst(dht, key, walkMs, signal))).catch(() => undefined);
    if (found) return found;
    await delay(Math.min(LOOKUP_EVERY_MS, leftMs()), undefined, { signal }).catch(() => undefined);
  }
  throw signal?.aborted ? errors.pairInterrupted() : errors.pairNotFound(codeNumber, timeoutMs, 'in the DHT');
}

/** The first address stored under `key`; rejects when the walk finds none (or we were stopped). */
async function lookupFirst(dht: DhtNode, key: Uint8Array, walkMs: number, signal?: AbortSignal): Promise<PeerAddress> {
  for await (const address of dht.lookup(key, walkMs)) {
    if (!signal?.aborted) return address;
    break;
  }
  throw new Error('no address under this key');
}
