/**
 * bencode 4.0.1 (used by webtorrent, ut_metadata, ut_pex and bittorrent-protocol for
 * every dictionary a peer sends) trusts a string's length prefix: "l-3:aee" moves the
 * read position backwards and the list loop never ends, filling the heap until the
 * process dies. One such message from any peer with a link kills a sharer or a getter.
 * Nesting is unbounded too ("llll…" overflows the stack).
 *
 * installStrictBencode() patches the shared decoder once per process: a string length
 * must be plain digits and fit in the input, and nesting is capped at MAX_DEPTH.
 */
import bencode from 'bencode';

export const MAX_DEPTH = 64;
const COLON = 0x3a;
const MAX_LENGTH_DIGITS = 15;

interface Decoder {
  (data: unknown, ...rest: unknown[]): unknown;
  data: Uint8Array;
  position: number;
  find(chr: number): number;
  buffer(): unknown;
  next(): unknown;
}

let isInstalled = false;

export function installStrictBencode(): void {
  if (isInstalled) return;
  const decoder = bencode.decode as unknown as Decoder;
  const readBuffer = decoder.buffer;
  const readNext = decoder.next;
  let depth = 0;
  decoder.buffer = function strictBuffer() {
    const data = decoder.data;
    const start = decoder.position;
    const colon = decoder.find(COLON);
    if (colon === start || colon - start > MAX_LENGTH_DIGITS) throw new Error('bencode: bad string length');
    let length = 0;
    for (let i = start; i < colon; i++) {
      const digit = data[i]! - 48;
      if (digit < 0 || digit > 9) throw new Error('bencode: bad string length');
      length = length * 10 + digit;
    }
    if (colon + 1 + length > data.length) throw new Error('bencode: string runs past the end');
    return readBuffer.call(decoder);
  };
  decoder.next = function strictNext() {
    if (depth >= MAX_DEPTH) throw new Error('bencode: nested too deeply');
    depth += 1;
    try {
      return readNext.call(decoder);
    } finally {
      depth -= 1;
    }
  };
  isInstalled = true;
}
