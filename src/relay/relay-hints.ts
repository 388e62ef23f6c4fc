/**
 * The one record a registered node sends on its `relay register` link (docs/protocol.md,
 * "Relay hints"): HINTS = 0x02 ‖ n (1 byte, 0..MAX_HINTS) ‖ n 20-byte DHT keys, the whole
 * set each time (it replaces the last). The relay announces each key in the DHT with its own
 * port while the registration lives. A relay from before hints drops the record unread.
 */
export const HINTS_TYPE = 0x02;
export const HINT_KEY_BYTES = 20;
/** Keys per registered node: what one node may make its relay announce. */
export const MAX_HINTS = 64;

export function encodeHints(keys: Uint8Array[]): Buffer {
  const chosen = keys.slice(0, MAX_HINTS);
  for (const key of chosen) if (key.length !== HINT_KEY_BYTES) throw new RangeError(`a relay hint is ${HINT_KEY_BYTES} bytes, not ${key.length}`);
  return Buffer.concat([Buffer.from([HINTS_TYPE, chosen.length]), ...chosen]);
}

/** Splits the register link's bytes into hint sets; anything else ends the link (an error text). */
export class HintsReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { sets: Buffer[][]; error?: string } {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const sets: Buffer[][] = [];
    while (this.buffered.length >= 2) {
      if (this.buffered[0] !== HINTS_TYPE) return { sets, error: `unknown relay record type ${this.buffered[0]}` };
      const count = this.buffered[1]!;
      if (count > MAX_HINTS) return { sets, error: `${count} relay hints (at most ${MAX_HINTS})` };
      const bytes = 2 + count * HINT_KEY_BYTES;
      if (this.buffered.length < bytes) break;
      const keys: Buffer[] = [];
      for (let i = 0; i < count; i++) keys.push(Buffer.from(this.buffered.subarray(2 + i * HINT_KEY_BYTES, 2 + (i + 1) * HINT_KEY_BYTES)));
      sets.push(keys);
      this.buffered = this.buffered.subarray(bytes);
    }
    return { sets };
  }
}
