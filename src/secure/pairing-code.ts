/**
 * The short code two people read to each other to pair: `<number>-<word>-<word>-<word>`,
 * e.g. `7-crossover-clockwork-indigo`, the magic-wormhole shape.
 *
 * The number says where to meet (it is sent in the clear to find the other side, so it
 * adds no secrecy): 1..999 when the waiting side is looked for on its LAN only, 1000..65535
 * when it is also announced in the DHT, where everyone pairing at the same time shares one
 * space and a wider number makes two codes meeting under one number rare (the wire carries
 * it as a u16). The three words are the secret. They come from the PGP word list,
 * alternating its three-syllable ("odd") and two-syllable ("even") halves as wormhole does,
 * so a swapped or dropped word is caught when typed. Each word is one uniform random byte:
 * CODE_SECRET_BITS = 3 * 8 = 24 bits, and CPace lets an attacker test one guess per code
 * (success 1 in 16,777,216) and no offline dictionary attack.
 */
import { errors } from '../errors.js';
import { randomBytes, randomIntInclusive } from '../crypto/random.js';
import { PGP_EVEN_WORDS, PGP_ODD_WORDS } from './pgp-wordlist.js';

export const CODE_WORDS = 3;
export const WORD_CHOICES = 256;
export const CODE_SECRET_BITS = CODE_WORDS * Math.log2(WORD_CHOICES);
/** Codes looked for on one LAN only. */
export const MAX_LAN_CODE_NUMBER = 999;
/** Codes also announced in the DHT take 1000..MAX_CODE_NUMBER. */
export const MAX_CODE_NUMBER = 0xffff;
const MAX_CODE_TEXT_CHARS = 200;

export interface PairingCode {
  /** 1..999: which pairing on that host; public. */
  number: number;
  words: readonly string[];
  /** The canonical text: lower case, joined by '-'. It is the CPace password. */
  text: string;
}

/** Word i of a code comes from the odd list at even positions and the even list at odd ones. */
function listFor(position: number): readonly string[] {
  return position % 2 === 0 ? PGP_ODD_WORDS : PGP_EVEN_WORDS;
}

/** `isInternetWide`: the code is announced in the DHT too, so its number comes from the wide range. */
export function generatePairingCode(options: { isInternetWide?: boolean } = {}): PairingCode {
  const number = options.isInternetWide ? randomIntInclusive(MAX_LAN_CODE_NUMBER + 1, MAX_CODE_NUMBER) : randomIntInclusive(1, MAX_LAN_CODE_NUMBER);
  const words = [...randomBytes(CODE_WORDS)].map((byte, position) => listFor(position)[byte]!);
  return { number, words, text: [String(number), ...words].join('-') };
}

/** Accepts any case, spaces or '-' between the parts; refuses anything that is not a code. */
export function parsePairingCode(shown: string): PairingCode {
  if (shown.length > MAX_CODE_TEXT_CHARS) throw errors.badPairCode(shown.slice(0, 40) + '…', 'far too long');
  const parts = shown.trim().toLowerCase().split(/[\s-]+/).filter((part) => part.length > 0);
  if (parts.length !== CODE_WORDS + 1) {
    throw errors.badPairCode(shown, `a code is a number and ${CODE_WORDS} words, this has ${parts.length} part${parts.length === 1 ? '' : 's'}`);
  }
  const [numberText, ...words] = parts as [string, ...string[]];
  const number = /^\d{1,5}$/.test(numberText) ? Number(numberText) : NaN;
  if (!(number >= 1 && number <= MAX_CODE_NUMBER)) throw errors.badPairCode(shown, `it must start with a number from 1 to ${MAX_CODE_NUMBER}`);
  words.forEach((word, position) => {
    if (listFor(position).includes(word)) return;
    const swapped = listFor(position + 1).includes(word);
    throw errors.badPairCode(shown, `word ${position + 1} "${word}" is ${swapped ? 'in the wrong place' : 'not in the word list'}`);
  });
  return { number, words, text: [String(number), ...words].join('-') };
}

/**
 * Short authentication words from 3 bytes the two sides derived alike: even, odd, even
 * (the PGP fingerprint order), so they never read like the code itself.
 */
export function authenticationWords(bytes: Uint8Array): string[] {
  return [...bytes].map((byte, position) => (position % 2 === 0 ? PGP_EVEN_WORDS : PGP_ODD_WORDS)[byte]!);
}
