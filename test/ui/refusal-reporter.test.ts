import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import { errors } from '../../src/errors.js';
import type { Refusal } from '../../src/net/swarm-node.js';
import { RefusalReporter, type RefusalReporterOptions } from '../../src/ui/refusal-reporter.js';

const KEY_A = { keyText: `swarm1${'a'.repeat(58)}`, fingerprint: '25ac:d086:4211' };
const KEY_B = { keyText: `swarm1${'b'.repeat(58)}`, fingerprint: '0b0b:1c1c:2d2d' };

function untrusted(key: typeof KEY_A, remoteHost = '::ffff:203.0.113.7'): Refusal {
  const error = errors.untrustedPeer(key);
  return { code: error.code, message: error.message, keyText: error.keyText, fingerprint: error.fingerprint, reason: error.reason, isInbound: true, remoteHost, remotePort: 40000 };
}

function harness(options: Partial<RefusalReporterOptions> = {}) {
  const node = new EventEmitter();
  const lines: string[] = [];
  const events: object[] = [];
  let nowMs = 1_000_000;
  const reporter = new RefusalReporter(node, { isJson: false, now: () => nowMs, output: { line: (text) => lines.push(text), event: (value) => events.push(value) }, ...options });
  return { node, lines, events, reporter, advance: (ms: number) => (nowMs += ms) };
}

describe('RefusalReporter', () => {
  test('one line per refused key per minute, in the documented shape', () => {
    const { node, lines, advance } = harness();
    for (let i = 0; i < 5; i++) node.emit('refused', untrusted(KEY_A));
    node.emit('refused', untrusted(KEY_B, '127.0.0.9'));
    expect(lines).toEqual([
      `refused 25ac:d086:4211 from 203.0.113.7: not trusted — to allow: swarm trust add ${KEY_A.keyText}`,
      `refused 0b0b:1c1c:2d2d from 127.0.0.9: not trusted — to allow: swarm trust add ${KEY_B.keyText}`,
    ]);
    advance(59_999);
    node.emit('refused', untrusted(KEY_A));
    expect(lines).toHaveLength(2);
    advance(1);
    node.emit('refused', untrusted(KEY_A));
    expect(lines).toHaveLength(3);
  });

  test('--json: a refused event with key, fingerprint, address and reason', () => {
    const { node, events, lines } = harness({ isJson: true });
    node.emit('refused', untrusted(KEY_A));
    node.emit('refused', untrusted(KEY_A));
    expect(lines).toEqual([]);
    expect(events).toEqual([{ event: 'refused', key: KEY_A.keyText, fingerprint: KEY_A.fingerprint, address: '203.0.113.7', reason: 'not trusted' }]);
  });

  test('only untrusted keys that dialled us: not our own failed dials, refused channels of trusted keys, or keyless refusals', () => {
    const { node, lines } = harness();
    const channel = errors.channelRefused('duplicate connection', KEY_B);
    node.emit('refused', { code: channel.code, message: channel.message, keyText: channel.keyText, fingerprint: channel.fingerprint, reason: channel.reason, isInbound: true, remoteHost: '::1', remotePort: 1 });
    node.emit('refused', { ...untrusted(KEY_A), isInbound: false });
    node.emit('refused', { code: 'HANDSHAKE_TIMEOUT', message: 'slow', isInbound: true, remoteHost: '127.0.0.1', remotePort: 1 });
    expect(lines).toEqual([]);
    node.emit('refused', untrusted(KEY_A, '::1'));
    expect(lines).toEqual([`refused 25ac:d086:4211 from ::1: not trusted — to allow: swarm trust add ${KEY_A.keyText}`]);
  });

  test('the keys it remembers are capped: the least recently shown is forgotten first', () => {
    const { node, lines } = harness({ maxRememberedKeys: 2 });
    const keyC = { keyText: `swarm1${'c'.repeat(58)}`, fingerprint: 'cccc:cccc:cccc' };
    for (const key of [KEY_A, KEY_B, keyC, KEY_B, keyC]) node.emit('refused', untrusted(key));
    expect(lines).toHaveLength(3); // B and C still remembered
    node.emit('refused', untrusted(KEY_A)); // A was forgotten when C arrived
    expect(lines).toHaveLength(4);
  });

  test('a damaged or unreadable trust file is reported once per problem', () => {
    const { node, lines } = harness();
    node.emit('trust-error', errors.corruptTrust('/h/trust.json', 'Unexpected token'));
    node.emit('trust-error', errors.corruptTrust('/h/trust.json', 'Unexpected end of JSON input'));
    node.emit('trust-error', errors.unreadable('/h/trust.json', 'EACCES', new Error('EACCES')));
    expect(lines).toEqual([
      'swarm: trust store /h/trust.json is damaged (Unexpected token); it was left untouched (hint: fix or restore the file by hand (it is JSON); swarm will not overwrite it)',
      'swarm: cannot read /h/trust.json: EACCES (hint: check the file permissions, or set SWARM_HOME to another directory)',
    ]);
    const json = harness({ isJson: true });
    json.node.emit('trust-error', errors.corruptTrust('/h/trust.json', 'x'));
    expect(json.events).toEqual([{ event: 'error', code: 'CORRUPT_TRUST', message: 'trust store /h/trust.json is damaged (x); it was left untouched', hint: 'fix or restore the file by hand (it is JSON); swarm will not overwrite it' }]);
  });

  test('stop() detaches it', () => {
    const { node, lines, reporter } = harness();
    reporter.stop();
    node.emit('refused', untrusted(KEY_A));
    expect(lines).toEqual([]);
    expect(node.listenerCount('refused')).toBe(0);
  });

  test('a v1 node dialling in (silence on the wire) gets one line per address per minute here', () => {
    const { node, lines, advance } = harness();
    const v1 = errors.v1Initiator();
    const refusal: Refusal = { code: v1.code, message: v1.message, reason: v1.reason, isInbound: true, remoteHost: '::ffff:198.51.100.4', remotePort: 5 };
    node.emit('refused', refusal);
    node.emit('refused', refusal);
    node.emit('refused', { ...refusal, isInbound: false });
    expect(lines).toEqual(['refused a swarm protocol v1 node from 198.51.100.4: this node speaks v2; the other side needs to upgrade swarm']);
    advance(60_000);
    node.emit('refused', refusal);
    expect(lines).toHaveLength(2);
    const json = harness({ isJson: true });
    json.node.emit('refused', refusal);
    expect(json.events).toEqual([{ event: 'refused', address: '198.51.100.4', reason: 'swarm protocol v1' }]);
  });
});
