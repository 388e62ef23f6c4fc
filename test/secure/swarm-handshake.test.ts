// The handshake as pure logic: messages passed by hand, no streams or sockets.
import { describe, expect, it } from 'vitest';
import { SwarmHandshake } from '../../src/secure/swarm-handshake.js';
import { IDENTITY_PAYLOAD_BYTES } from '../../src/secure/handshake-payload.js';
import { makeIdentities, trusting } from '../helpers/test-identities.js';

const [alice, bob, carol] = makeIdentities(3);

function run(initiator: SwarmHandshake, responder: SwarmHandshake): Buffer[] {
  const messages = [initiator.writeMessage()];
  responder.readMessage(messages[0]!);
  messages.push(responder.writeMessage());
  initiator.readMessage(messages[1]!);
  messages.push(initiator.writeMessage());
  responder.readMessage(messages[2]!);
  return messages;
}

describe('SwarmHandshake (Noise XX + identity payloads)', () => {
  it('authenticates both identities and agrees on transport keys', () => {
    const initiator = new SwarmHandshake({ isInitiator: true, identity: alice!, allows: trusting(bob!) });
    const responder = new SwarmHandshake({ isInitiator: false, identity: bob!, allows: trusting(alice!) });
    const messages = run(initiator, responder);
    expect(messages.map((m) => m.length)).toEqual([32, 32 + 48 + IDENTITY_PAYLOAD_BYTES + 16, 48 + IDENTITY_PAYLOAD_BYTES + 16]);
    expect(initiator.remoteKey).toEqual(Buffer.from(bob!.publicKey));
    expect(responder.remoteKey).toEqual(Buffer.from(alice!.publicKey));
    expect(responder.refusal).toBeUndefined();
    const a = initiator.finish();
    const b = responder.finish();
    expect(a.handshakeHash).toEqual(b.handshakeHash);
    expect(b.opener.open(a.sealer.seal(Buffer.from('hi')).subarray(2)).toString()).toBe('hi');
    expect(a.opener.open(b.sealer.seal(Buffer.from('yo')).subarray(2)).toString()).toBe('yo');
  });

  it('identity keys never appear in clear in any handshake message', () => {
    const messages = run(
      new SwarmHandshake({ isInitiator: true, identity: alice!, allows: trusting(bob!) }),
      new SwarmHandshake({ isInitiator: false, identity: bob!, allows: trusting(alice!) }),
    );
    const wire = Buffer.concat(messages);
    for (const key of [alice!.publicKey, bob!.publicKey, alice!.noisePublicKey, bob!.noisePublicKey]) {
      expect(wire.indexOf(Buffer.from(key))).toBe(-1);
    }
  });

  it('initiator refuses an untrusted responder before sending message 3', () => {
    const initiator = new SwarmHandshake({ isInitiator: true, identity: alice!, allows: trusting(carol!) });
    const responder = new SwarmHandshake({ isInitiator: false, identity: bob!, allows: trusting(alice!) });
    responder.readMessage(initiator.writeMessage());
    expect(() => initiator.readMessage(responder.writeMessage())).toThrow(/not on this node's trust list/);
  });

  it('initiator refuses a responder proving a different key than expected', () => {
    const initiator = new SwarmHandshake({ isInitiator: true, identity: alice!, allows: () => true, expectedKey: carol!.publicKey });
    const responder = new SwarmHandshake({ isInitiator: false, identity: bob!, allows: () => true });
    responder.readMessage(initiator.writeMessage());
    expect(() => initiator.readMessage(responder.writeMessage())).toThrow(expect.objectContaining({ code: 'WRONG_PEER_KEY' }));
  });

  it('responder records an untrusted initiator as a refusal', () => {
    const responder = new SwarmHandshake({ isInitiator: false, identity: bob!, allows: trusting(carol!) });
    run(new SwarmHandshake({ isInitiator: true, identity: alice!, allows: () => true }), responder);
    expect(responder.refusal).toMatchObject({ code: 'UNTRUSTED_PEER' });
  });

  it('rejects an identity payload whose signature covers another static key', () => {
    // Mallory claims Alice's Ed25519 key but has only her own Noise static key.
    const mallory = { ...carol!, publicKey: alice!.publicKey, secretKey: alice!.secretKey, noisePublicKey: carol!.noisePublicKey };
    const forged = { ...mallory, noiseSecretKey: bob!.noiseSecretKey, noisePublicKey: bob!.noisePublicKey };
    // forged: signs with Alice's key over Bob's static key, but uses Carol's static key in Noise.
    const liar = new SwarmHandshake({ isInitiator: false, identity: { ...forged, noiseSecretKey: carol!.noiseSecretKey }, allows: () => true });
    const initiator = new SwarmHandshake({ isInitiator: true, identity: bob!, allows: () => true });
    liar.readMessage(initiator.writeMessage());
    expect(() => initiator.readMessage(liar.writeMessage())).toThrow(/signature does not match/);
  });

  it('rejects a tampered handshake message', () => {
    const initiator = new SwarmHandshake({ isInitiator: true, identity: alice!, allows: () => true });
    const responder = new SwarmHandshake({ isInitiator: false, identity: bob!, allows: () => true });
    responder.readMessage(initiator.writeMessage());
    const second = responder.writeMessage();
    second[second.length - 1]! ^= 0x80;
    expect(() => initiator.readMessage(second)).toThrow(expect.objectContaining({ code: 'BAD_HANDSHAKE' }));
  });
});
