/**
 * The check of a 16-byte HMAC-SHA256 tag under one fixed key: a node's mac1 check, run on
 * every inbound message 1, forged ones included (a flood sends them by the thousand).
 *
 * Written out in JS with the HMAC's two pad blocks hashed once per key (their SHA-256
 * midstates kept), so a check of a 275-byte message is five compressions for the inner hash
 * and one for the outer, with no call into node:crypto and no allocation. Two one-shot
 * `crypto.hash` calls over the same bytes cost 3.8-5 µs a check on the test machine, nearly
 * all of it the call and the Buffers it returns (the CPU has SHA instructions); this is about
 * 2 µs (docs/benchmarks.md, "Forged message 1s, fourth pass"). Checked against node:crypto's
 * HMAC and RFC 4231 in test/crypto/hmac-sha256.test.ts.
 */

const BLOCK_BYTES = 64;
const TAG_BYTES = 16;
const IPAD = 0x36;
const OPAD = 0x5c;

// prettier-ignore
const ROUND_CONSTANTS = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL_STATE = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

// Scratch for the message schedule: checks are synchronous, so one is enough.
const schedule = new Int32Array(64);

/** One SHA-256 compression of the 64 bytes of `bytes` at `offset` into `state` (FIPS 180-4, 6.2.2). */
function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  const w = schedule;
  for (let i = 0; i < 16; i++) {
    const j = offset + 4 * i;
    w[i] = (bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15]!;
    const w2 = w[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!;
  let b = state[1]!;
  let c = state[2]!;
  let d = state[3]!;
  let e = state[4]!;
  let f = state[5]!;
  let g = state[6]!;
  let h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const choice = (e & f) ^ (~e & g);
    const t1 = (h + sum1 + choice + ROUND_CONSTANTS[i]! + w[i]!) | 0;
    const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const majority = (a & b) ^ (a & c) ^ (b & c);
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + sum0 + majority) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** The state after hashing one block: (key zero-padded to a block) XOR `pad`. */
function padMidstate(key: Uint8Array, pad: number): Int32Array {
  const block = new Uint8Array(BLOCK_BYTES);
  for (let i = 0; i < BLOCK_BYTES; i++) block[i] = (i < key.length ? key[i]! : 0) ^ pad;
  const state = Int32Array.from(INITIAL_STATE);
  compress(state, block, 0);
  return state;
}

/** Writes the SHA-256 padding of a message of `totalBytes` whose last `tailBytes` are already at the start of `block`. */
function writePadding(block: Uint8Array, tailBytes: number, totalBytes: number): void {
  block[tailBytes] = 0x80;
  block.fill(0, tailBytes + 1, block.length - 8);
  // Bit lengths here are far below 2^32: the high word stays zero.
  const bits = totalBytes * 8;
  const end = block.length;
  block[end - 8] = block[end - 7] = block[end - 6] = block[end - 5] = 0;
  block[end - 4] = bits >>> 24;
  block[end - 3] = bits >>> 16;
  block[end - 2] = bits >>> 8;
  block[end - 1] = bits;
}

/**
 * A check of a 16-byte HMAC-SHA256 tag at `tagOffset`, over the message's bytes before it,
 * for one fixed key of at most one block. True only for the right tag; the time taken does
 * not depend on where a wrong tag differs.
 */
export function hmacTag16Checker(key: Uint8Array, tagOffset: number): (message: Uint8Array) => boolean {
  if (key.length > BLOCK_BYTES) throw new RangeError('HMAC key longer than a block');
  const innerStart = padMidstate(key, IPAD);
  const outerStart = padMidstate(key, OPAD);
  const fullBlocks = Math.floor(tagOffset / BLOCK_BYTES);
  const tailBytes = tagOffset - fullBlocks * BLOCK_BYTES;
  // The message's last partial block plus padding: one block, or two when fewer than 9 bytes are left.
  const tail = new Uint8Array(tailBytes + 9 <= BLOCK_BYTES ? BLOCK_BYTES : 2 * BLOCK_BYTES);
  const outer = new Uint8Array(BLOCK_BYTES);
  // The padding never changes: only the message bytes before it are rewritten per check.
  writePadding(tail, tailBytes, BLOCK_BYTES + tagOffset);
  writePadding(outer, 32, BLOCK_BYTES + 32);
  const state = new Int32Array(8);
  return (message) => {
    if (message.length < tagOffset + TAG_BYTES) return false;
    state.set(innerStart);
    for (let block = 0; block < fullBlocks; block++) compress(state, message, block * BLOCK_BYTES);
    tail.set(message.subarray(fullBlocks * BLOCK_BYTES, tagOffset));
    for (let offset = 0; offset < tail.length; offset += BLOCK_BYTES) compress(state, tail, offset);
    for (let i = 0; i < 8; i++) {
      const word = state[i]!;
      outer[4 * i] = word >>> 24;
      outer[4 * i + 1] = word >>> 16;
      outer[4 * i + 2] = word >>> 8;
      outer[4 * i + 3] = word;
    }
    state.set(outerStart);
    compress(state, outer, 0);
    // Every word is compared, whatever the first difference.
    let difference = 0;
    for (let i = 0; i < TAG_BYTES / 4; i++) {
      const j = tagOffset + 4 * i;
      difference |= ((message[j]! << 24) | (message[j + 1]! << 16) | (message[j + 2]! << 8) | message[j + 3]!) ^ state[i]!;
    }
    return difference === 0;
  };
}
