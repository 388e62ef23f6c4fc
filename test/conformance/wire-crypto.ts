/**
 * Conformance client, part 1: the primitives docs/protocol.md names, on node:crypto only.
 * Written from the document, importing nothing from src/ (that is the point: if the
 * document is incomplete, this client cannot work).
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

// Raw keys go into node:crypto through the fixed DER prefixes of RFC 8410.
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const X25519_PKCS8 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI = Buffer.from('302a300506032b656e032100', 'hex');

export const sha256 = (...parts: Uint8Array[]): Buffer => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();
export const sha512 = (data: Uint8Array): Buffer => createHash('sha512').update(data).digest();
export const sha1 = (data: Uint8Array): Buffer => createHash('sha1').update(data).digest();
export const hmacSha256 = (key: Uint8Array, data: Uint8Array): Buffer => createHmac('sha256', key).update(data).digest();

// --- Ed25519 identities ---------------------------------------------------------------

export interface Identity {
  seed: Buffer;
  publicKey: Buffer;
  privateKey: KeyObject;
}

export function newIdentity(): Identity {
  const seed = randomBytes(32);
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32);
  return { seed, publicKey: Buffer.from(publicKey), privateKey };
}

export const edSign = (identity: Identity, message: Uint8Array): Buffer => sign(null, message, identity.privateKey);

export function edVerify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI, publicKey]), format: 'der', type: 'spki' });
  return verify(null, message, key, signature);
}

// --- X25519 -----------------------------------------------------------------------------

export interface DhKeyPair {
  publicKey: Buffer;
  privateKey: KeyObject;
}

export function x25519FromSecret(secret: Uint8Array): DhKeyPair {
  const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8, secret]), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: Buffer.from(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(-32)) };
}

export const newDhKeyPair = (): DhKeyPair => x25519FromSecret(randomBytes(32));

export function dh(mine: DhKeyPair, theirPublic: Uint8Array): Buffer {
  const publicKey = createPublicKey({ key: Buffer.concat([X25519_SPKI, theirPublic]), format: 'der', type: 'spki' });
  return diffieHellman({ privateKey: mine.privateKey, publicKey });
}

/** libsodium's crypto_sign_ed25519_pk_to_curve25519: u = (1 + y) / (1 - y) mod 2^255 - 19. */
export function edPublicToX25519(edPublic: Uint8Array): Buffer {
  const p = 2n ** 255n - 19n;
  const y = BigInt('0x' + Buffer.from(edPublic).reverse().toString('hex')) & ((1n << 255n) - 1n);
  const u = ((1n + y) * modPow((1n - y + p) % p, p - 2n, p)) % p;
  return Buffer.from(u.toString(16).padStart(64, '0'), 'hex').reverse();
}

/** crypto_sign_ed25519_sk_to_curve25519: SHA-512(seed)[0..32], clamped. */
export function edSecretToX25519(identity: Identity): DhKeyPair {
  const secret = sha512(identity.seed).subarray(0, 32);
  secret[0]! &= 248;
  secret[31] = (secret[31]! & 127) | 64;
  return x25519FromSecret(secret);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus) if (e & 1n) result = (result * b) % modulus;
  return result;
}

// --- ChaCha20-Poly1305 with Noise nonces ------------------------------------------------

/** Nonce = 4 zero bytes || 64-bit little-endian counter. */
function nonce(counter: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64LE(BigInt(counter), 4);
  return n;
}

export function aeadSeal(key: Uint8Array, counter: number, ad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce(counter), { authTagLength: 16 });
  cipher.setAAD(ad, { plaintextLength: plaintext.length });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function aeadOpen(key: Uint8Array, counter: number, ad: Uint8Array, sealed: Uint8Array): Buffer {
  if (sealed.length < 16) throw new Error('sealed message shorter than its tag');
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce(counter), { authTagLength: 16 });
  decipher.setAAD(ad, { plaintextLength: sealed.length - 16 });
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
}

/** Noise's HKDF with two outputs. */
export function hkdf2(chainingKey: Uint8Array, input: Uint8Array): [Buffer, Buffer] {
  const temp = hmacSha256(chainingKey, input);
  const first = hmacSha256(temp, Buffer.from([1]));
  return [first, hmacSha256(temp, Buffer.concat([first, Buffer.from([2])]))];
}

// --- Key text and fingerprints ----------------------------------------------------------

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** "swarm1" + base32 (RFC 4648 alphabet, lower case, no padding) of key || SHA-256("swarm-key-v1" || key)[0..4]. */
export function keyText(publicKey: Uint8Array): string {
  const bytes = Buffer.concat([publicKey, sha256(Buffer.from('swarm-key-v1'), publicKey).subarray(0, 4)]);
  let bits = '';
  for (const byte of bytes) bits += byte.toString(2).padStart(8, '0');
  bits = bits.padEnd(Math.ceil(bits.length / 5) * 5, '0');
  let out = 'swarm1';
  for (let i = 0; i < bits.length; i += 5) out += ALPHABET[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

export function parseKeyText(text: string): Buffer {
  const body = text.trim().toLowerCase();
  if (!body.startsWith('swarm1') || body.length !== 64) throw new Error(`not a key: ${text}`);
  let bits = '';
  for (const char of body.slice(6)) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) throw new Error(`not a key: ${text}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = Buffer.from(bits.slice(0, 36 * 8).match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const publicKey = bytes.subarray(0, 32);
  if (!sha256(Buffer.from('swarm-key-v1'), publicKey).subarray(0, 4).equals(bytes.subarray(32))) throw new Error('key checksum mismatch');
  if (keyText(publicKey) !== body) throw new Error('key text not canonical');
  return Buffer.from(publicKey);
}

/** Three groups of four lower-case hex digits of SHA-256(key), joined by ":". */
export function fingerprint(publicKey: Uint8Array): string {
  return sha256(publicKey).toString('hex').slice(0, 12).match(/.{4}/g)!.join(':');
}
