/**
 * The one record a relay sends on a `relay register` link (docs/protocol.md, "Relays
 * through a trusted node"): CALL = 0x01 ‖ token (16 bytes). The registered node answers
 * it by dialling the relay on `relay back <hex token>`.
 */
export const CALL_TYPE = 0x01;
export const TOKEN_BYTES = 16;
export const CALL_BYTES = 1 + TOKEN_BYTES;

export function encodeCall(token: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([CALL_TYPE]), token]);
}

/** Splits a byte stream into CALL tokens; anything else ends the link (returns an error text). */
export class CallReader {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): { tokens: Buffer[]; error?: string } {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const tokens: Buffer[] = [];
    while (this.buffered.length >= CALL_BYTES) {
      if (this.buffered[0] !== CALL_TYPE) return { tokens, error: `unknown relay record type ${this.buffered[0]}` };
      tokens.push(Buffer.from(this.buffered.subarray(1, CALL_BYTES)));
      this.buffered = this.buffered.subarray(CALL_BYTES);
    }
    return { tokens };
  }
}
