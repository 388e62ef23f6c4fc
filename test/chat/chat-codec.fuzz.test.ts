// Fuzz of what a trusted but hostile peer controls byte for byte: the chat record stream
// (chat-record-codec.ts), the signed message inside (chat-message.ts) and the DM envelope
// (direct-message.ts). 100,000+ random and mutated inputs from a seeded generator (the
// seed is in the failure message), fed in random chunkings. The only error allowed is
// RecordFramingError; the decoder never holds more than one record's bytes; a mutated
// message never verifies unless it is byte for byte the original.
import { describe, expect, it } from 'vitest';
import { RecordDecoder, RecordFramingError, MAX_RECORD_BYTES, decodeMessageRecord, encodeMessageRecord } from '../../src/chat/chat-record-codec.js';
import { decodeMessage, verifyMessage, MessageKind, signMessage, HEADER_BYTES, SIGNATURE_BYTES, MAX_BODY_BYTES } from '../../src/chat/chat-message.js';
import { DirectSealer } from '../../src/chat/direct-message.js';
import { keyPair } from './helpers/chat-keys.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);

/** mulberry32: small, fast, reproducible. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const bytes = (length: number) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = int(256);
    return out;
  };
  return { next, int, bytes };
}

type Random = ReturnType<typeof generator>;

function mutate(random: Random, input: Uint8Array): Uint8Array {
  let out = new Uint8Array(input);
  const rounds = 1 + random.int(4);
  for (let r = 0; r < rounds; r++) {
    switch (random.int(6)) {
      case 0: // bit flip
        if (out.length > 0) out[random.int(out.length)]! ^= 1 << random.int(8);
        break;
      case 1: // byte overwrite with an edge value
        if (out.length > 0) out[random.int(out.length)] = [0, 1, 0x7f, 0x80, 0xff][random.int(5)]!;
        break;
      case 2: // truncate
        out = out.subarray(0, random.int(out.length + 1));
        break;
      case 3: // extend with random bytes
        out = Buffer.concat([out, random.bytes(1 + random.int(32))]);
        break;
      case 4: // overwrite a 2- or 4-byte length-like field with a big value
        if (out.length >= 4) new DataView(out.buffer, out.byteOffset).setUint32(random.int(out.length - 3), [0xffffffff, 0x10000, MAX_RECORD_BYTES + 1, 0][random.int(4)]!);
        break;
      default: // splice a random run
        if (out.length > 0) out.set(random.bytes(Math.min(out.length, 1 + random.int(16))), 0);
    }
  }
  return out;
}

/** Feeds `stream` in random chunks; returns the records, or stops at a framing error. */
function feed(random: Random, stream: Uint8Array): { records: ReturnType<RecordDecoder['push']>; framingError: boolean } {
  const decoder = new RecordDecoder();
  const records: ReturnType<RecordDecoder['push']> = [];
  for (let offset = 0; offset < stream.length; ) {
    const size = 1 + random.int(random.next() < 0.5 ? 16 : 4096);
    try {
      records.push(...decoder.push(stream.subarray(offset, offset + size)));
    } catch (error) {
      if (!(error instanceof RecordFramingError)) throw error;
      return { records, framingError: true };
    }
    offset += size;
    // Never more than one incomplete record (plus its length prefix) waits in memory.
    expect((decoder as unknown as { pendingBytes: number }).pendingBytes).toBeLessThanOrEqual(4 + MAX_RECORD_BYTES);
  }
  return { records, framingError: false };
}

describe(`chat codec fuzz (seed ${SEED})`, () => {
  it('survives 100,000+ random and mutated inputs with only expected errors', () => {
    const random = generator(SEED);
    const alice = keyPair();
    const bob = keyPair();
    const sealer = new DirectSealer(alice.publicKey, alice.secretKey);
    const bobSealer = new DirectSealer(bob.publicKey, bob.secretKey);
    const samples = [
      signMessage({ author: alice.publicKey, seq: 1, ts: Date.now(), kind: MessageKind.Public, body: new TextEncoder().encode('hello') }, alice.secretKey),
      signMessage({ author: alice.publicKey, seq: 2, ts: Date.now(), kind: MessageKind.Public, body: random.bytes(MAX_BODY_BYTES) }, alice.secretKey),
      signMessage({ author: alice.publicKey, seq: 3, ts: Date.now(), kind: MessageKind.Direct, body: sealer.seal('secret', bob.publicKey) }, alice.secretKey),
    ];
    const heapBefore = process.memoryUsage().heapUsed;
    let inputs = 0;
    let decodedMessages = 0;

    // 1. Random byte streams, and 2. mutated streams of valid records, in random chunkings.
    for (let i = 0; i < 30_000; i++, inputs++) {
      let stream: Uint8Array;
      if (i % 3 === 0) {
        stream = random.bytes(random.int(64));
      } else {
        const parts = Array.from({ length: 1 + random.int(3) }, () => encodeMessageRecord(random.int(256), samples[random.int(samples.length)]!.encoded));
        const joined = Buffer.concat(parts);
        stream = i % 3 === 1 ? mutate(random, joined) : joined;
      }
      for (const record of feed(random, stream).records) {
        const messageRecord = decodeMessageRecord(record);
        if (!messageRecord) continue;
        const decoded = decodeMessage(messageRecord.encodedMessage);
        if (!decoded) continue;
        decodedMessages++;
        expect(decoded.body.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
        expect(Number.isSafeInteger(decoded.seq) && Number.isSafeInteger(decoded.ts)).toBe(true);
      }
    }

    // 3. Message decoding on its own: mutated signed messages and random buffers near the minimum size.
    for (let i = 0; i < 60_000; i++, inputs++) {
      const sample = samples[random.int(samples.length)]!;
      const input = i % 4 === 0 ? random.bytes(HEADER_BYTES + SIGNATURE_BYTES - 2 + random.int(8)) : mutate(random, sample.encoded);
      const decoded = decodeMessage(input);
      if (!decoded) continue;
      decodedMessages++;
      expect(decoded.encoded.length).toBe(HEADER_BYTES + decoded.body.length + SIGNATURE_BYTES);
      // A signature check costs ~80 µs: check one in 20, and every one that still parses as the sample's author.
      if (i % 20 === 0 || Buffer.from(decoded.author).equals(Buffer.from(alice.publicKey))) {
        const message = verifyMessage(decoded);
        if (message) {
          expect(samples.some((s) => Buffer.from(s.encoded).equals(Buffer.from(input)))).toBe(true);
        }
      }
    }

    // 4. DM envelopes: mutated ones never open to anything but the original text.
    const envelope = samples[2]!.body;
    for (let i = 0; i < 15_000; i++, inputs++) {
      const mutated = mutate(random, envelope);
      DirectSealer.recipientOf(mutated);
      const opened = bobSealer.open(mutated, alice.publicKey);
      if (opened !== undefined) expect(opened).toBe('secret');
    }

    expect(inputs).toBeGreaterThanOrEqual(100_000);
    expect(decodedMessages).toBeGreaterThan(1000); // the mutations reach the message decoder
    // Bounded memory: nothing accumulates across inputs (generous: GC timing varies).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
  }, 60_000);
});
