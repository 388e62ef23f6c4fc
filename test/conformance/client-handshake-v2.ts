/**
 * Conformance client, handshake v2 (docs/protocol.md section 1 as h-v2 wrote it):
 * Noise_IK_25519_ChaChaPoly_SHA256 as initiator, prologue "swarm protocol v2", static keys
 * = the X25519 forms of the Ed25519 identities, WireGuard-style mac1/mac2, the channel name
 * inside message 1 (there is no OPEN record).
 *
 *   pre-message  <- s            (the responder's key, which the initiator dialled)
 *   -> e, es, s, ss              payload: identity || TAI64N timestamp || channel (307 bytes with marker and MACs)
 *   <- e, ee, se                 payload: empty (49 bytes with its type byte)
 */
import { createDecipheriv } from 'node:crypto';
import type { HandshakeKeys, Wire } from './client-connection.js';
import { identityPayload, SymmetricState } from './client-handshake-v1.js';
import { dh, edPublicToX25519, edSecretToX25519, hmacSha256, newDhKeyPair, sha256, type Identity } from './wire-crypto.js';

const MARKER = Buffer.from('SWARM\x02', 'latin1');
const PROTOCOL_NAME = Buffer.from('Noise_IK_25519_ChaChaPoly_SHA256');
const PROLOGUE = Buffer.from('swarm protocol v2');
const mac = (key: Uint8Array, data: Uint8Array) => hmacSha256(key, data).subarray(0, 16);

let lastTimestampNs = 0n;
/** TAI64N: uint64 (2^62 + Unix seconds) || uint32 nanoseconds, strictly increasing per process. */
function tai64n(): Buffer {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  lastTimestampNs = nowNs > lastTimestampNs ? nowNs : lastTimestampNs + 1n;
  const out = Buffer.alloc(12);
  out.writeBigUInt64BE((1n << 62n) + lastTimestampNs / 1_000_000_000n, 0);
  out.writeUInt32BE(Number(lastTimestampNs % 1_000_000_000n), 8);
  return out;
}

function channelField(channel: string): Buffer {
  const name = Buffer.from(channel, 'utf8');
  if (name.length < 1 || name.length > 64) throw new Error('a channel name is 1..64 bytes');
  return Buffer.concat([Buffer.from([name.length]), name, Buffer.alloc(64 - name.length)]);
}

export async function handshakeV2(wire: Wire, me: Identity, responderKey: Buffer, channel: string): Promise<HandshakeKeys> {
  const rs = edPublicToX25519(responderKey);
  const s = edSecretToX25519(me);
  let cookie: Buffer | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const state = new SymmetricState(PROTOCOL_NAME);
    state.mixHash(PROLOGUE);
    state.mixHash(rs);
    const e = newDhKeyPair();
    state.mixHash(e.publicKey); // e
    state.mixKey(dh(e, rs)); // es
    const encryptedStatic = state.encryptAndHash(s.publicKey); // s
    state.mixKey(dh(s, rs)); // ss
    const payload = Buffer.concat([identityPayload(me, s.publicKey), tai64n(), channelField(channel)]);
    const body = Buffer.concat([MARKER, e.publicKey, encryptedStatic, state.encryptAndHash(payload)]);
    const mac1 = mac(sha256(Buffer.from('mac1----'), responderKey), body);
    const mac2 = cookie ? mac(cookie, Buffer.concat([body, mac1])) : Buffer.alloc(16);
    wire.write(Buffer.concat([body, mac1, mac2]));

    const type = (await wire.readExactly(1))[0];
    if (type === 0x02) {
      const message2 = await wire.readExactly(48);
      const re = message2.subarray(0, 32);
      state.mixHash(re); // e
      state.mixKey(dh(e, re)); // ee
      state.mixKey(dh(s, re)); // se
      state.decryptAndHash(message2.subarray(32)); // empty payload: its tag proves the responder holds K_r
      const [sendKey, receiveKey] = state.split();
      return { sendKey, receiveKey, remoteKey: responderKey, sentChannel: true };
    }
    if (type === 0x03 && !cookie) {
      const reply = await wire.readExactly(44);
      const decipher = createDecipheriv('chacha20-poly1305', sha256(Buffer.from('cookie--'), responderKey), reply.subarray(0, 12), { authTagLength: 16 });
      decipher.setAAD(mac1, { plaintextLength: 16 });
      decipher.setAuthTag(reply.subarray(28));
      cookie = Buffer.concat([decipher.update(reply.subarray(12, 28)), decipher.final()]);
      continue;
    }
    if (type === 0x53) throw new Error(`a v1 node: ${Buffer.concat([Buffer.from([type]), await wire.readExactly(5)]).toString('latin1')}`);
    throw new Error(`unexpected handshake answer type ${type}`);
  }
  throw new Error('a second cookie reply');
}
