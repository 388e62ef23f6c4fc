/** Seeded randomness for fuzz tests: a failing case is reproduced by its seed and index. */

/** mulberry32: small, fast, good enough to drive a fuzzer. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, below: number): number {
  return Math.floor(random() * below);
}

export function randomBuffer(random: () => number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) out[i] = randomInt(random, 256);
  return out;
}

/** One to four edits: bit flips, byte overwrites, insertions, deletions, truncation, duplication of a slice. */
export function mutate(random: () => number, input: Buffer): Buffer {
  let data = Buffer.from(input);
  const edits = 1 + randomInt(random, 4);
  for (let e = 0; e < edits; e++) {
    const at = randomInt(random, data.length + 1);
    switch (randomInt(random, 6)) {
      case 0:
        if (data.length > 0) data[at % data.length]! ^= 1 << randomInt(random, 8);
        break;
      case 1:
        if (data.length > 0) data[at % data.length] = [0, 0xff, 0x7f, 0x80, randomInt(random, 256)][randomInt(random, 5)]!;
        break;
      case 2:
        data = Buffer.concat([data.subarray(0, at), randomBuffer(random, 1 + randomInt(random, 8)), data.subarray(at)]);
        break;
      case 3:
        data = Buffer.concat([data.subarray(0, at), data.subarray(at + 1 + randomInt(random, 8))]);
        break;
      case 4:
        data = data.subarray(0, at);
        break;
      default: {
        const from = randomInt(random, data.length + 1);
        data = Buffer.concat([data.subarray(0, at), data.subarray(from, from + randomInt(random, 32)), data.subarray(at)]);
      }
    }
  }
  return data;
}

/** Splits `data` into 1..6 chunks at random points (as TCP may deliver it). */
export function randomChunks(random: () => number, data: Buffer): Buffer[] {
  const cuts = Array.from({ length: randomInt(random, 6) }, () => randomInt(random, data.length + 1)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, data.length]) {
    chunks.push(data.subarray(start, cut));
    start = cut;
  }
  return chunks.filter((chunk) => chunk.length > 0);
}
