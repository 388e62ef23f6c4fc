/**
 * The node's long-term keys: the Ed25519 key people trust, and a static X25519 key
 * for the Noise handshake (bound to the Ed25519 key by a signature during the
 * handshake). Created on first use; never replaced once it exists, because losing
 * it means every peer has to trust a new key.
 */
import { join } from 'node:path';
import { errors } from '../errors.js';
import { generateSigningKeyPair, signingKeyPairFromSeed } from '../crypto/ed25519.js';
import { generateX25519KeyPair, x25519PublicKey } from '../crypto/x25519.js';
import { ensurePrivateDir, readFileIfExists, writeFileAtomic } from './atomic-file.js';
import { encodeKeyText } from './key-text.js';
import { parseVersionedJson } from './versioned-json.js';

export interface Identity {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
  noisePublicKey: Uint8Array;
  noiseSecretKey: Uint8Array;
  keyText: string;
}

export const IDENTITY_FILE = 'identity.json';
const FORMAT_VERSION = 1;

interface IdentityFile {
  version: number;
  publicKey: string;
  secretKey: string;
  noisePublicKey: string;
  noiseSecretKey: string;
  created: string;
}

export function identityPath(home: string): string {
  return join(home, IDENTITY_FILE);
}

export function loadOrCreateIdentity(home: string): Identity {
  ensurePrivateDir(home);
  const path = identityPath(home);
  const text = readFileIfExists(path);
  if (text !== undefined) return parseIdentity(text, path);
  const identity = createIdentity();
  writeFileAtomic(path, serializeIdentity(identity));
  return identity;
}

export function createIdentity(): Identity {
  const signing = generateSigningKeyPair();
  const noise = generateX25519KeyPair();
  return {
    publicKey: signing.publicKey,
    secretKey: signing.secretKey,
    noisePublicKey: noise.publicKey,
    noiseSecretKey: noise.secretKey,
    keyText: encodeKeyText(signing.publicKey),
  };
}

export function serializeIdentity(identity: Identity): string {
  const file: IdentityFile = {
    version: FORMAT_VERSION,
    publicKey: b64(identity.publicKey),
    secretKey: b64(identity.secretKey),
    noisePublicKey: b64(identity.noisePublicKey),
    noiseSecretKey: b64(identity.noiseSecretKey),
    created: new Date().toISOString(),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export function parseIdentity(text: string, path: string): Identity {
  const corrupt = (why: string) =>
    errors.corruptIdentity(path, why);
  const file = parseVersionedJson<IdentityFile>(text, FORMAT_VERSION, corrupt);
  const publicKey = unb64(file.publicKey, 32);
  const secretKey = unb64(file.secretKey, 64);
  const noisePublicKey = unb64(file.noisePublicKey, 32);
  const noiseSecretKey = unb64(file.noiseSecretKey, 32);
  if (!publicKey || !secretKey || !noisePublicKey || !noiseSecretKey) throw corrupt('a key is missing or has the wrong length');
  const derived = signingKeyPairFromSeed(secretKey.subarray(0, 32)).publicKey;
  if (!Buffer.from(derived).equals(publicKey) || !Buffer.from(secretKey.subarray(32)).equals(publicKey)) {
    throw corrupt('the signing keys do not match each other');
  }
  if (!Buffer.from(x25519PublicKey(noiseSecretKey)).equals(noisePublicKey)) {
    throw corrupt('the Noise keys do not match each other');
  }
  return { publicKey, secretKey, noisePublicKey, noiseSecretKey, keyText: encodeKeyText(publicKey) };
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function unb64(value: unknown, length: number): Uint8Array | undefined {
  if (typeof value !== 'string') return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === length ? new Uint8Array(bytes) : undefined;
}
