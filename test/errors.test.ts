import { describe, expect, test } from 'vitest';
import { ERROR_CODES, errors, hasErrorCode, isPermanentError, SwarmError, type ErrorCode } from '../src/errors.js';
import { chatErrors } from '../src/errors/chat-errors.js';
import { cliErrors } from '../src/errors/cli-errors.js';
import { connectionErrors } from '../src/errors/connection-errors.js';
import { identityErrors } from '../src/errors/identity-errors.js';
import { transferErrors } from '../src/errors/transfer-errors.js';

const KEY = { keyText: 'swarm1exampleexampleexampleexampleexampleexampleexampleexa', fingerprint: '25ac:d086:4211' };
const CAUSE = new Error('EACCES');

// One call per factory. The mapped type makes a new factory a compile error here until it
// is listed, so "every code has a factory" stays checked.
const calls: { [K in keyof typeof errors]: Parameters<(typeof errors)[K]> } = {
  usage: ['bad flag', 'see --help'],
  badKey: ['swarm1zz', 'too short', 'copy it again'],
  fingerprintNotKey: ['25ac:d086:4211', 'swarm1'],
  ownKey: [],
  corruptIdentity: ['/h/identity.json', 'not JSON'],
  corruptTrust: ['/h/trust.json', 'not JSON'],
  trustChanged: ['/h/trust.json'],
  duplicateKey: ['alice', 'al'],
  duplicateName: ['alice'],
  unknownPeer: ['bob'],
  unknownChatPeer: ['bob'],
  unreadable: ['/h/trust.json', 'EACCES', CAUSE],
  unwritable: ['/h/trust.json', 'EROFS', CAUSE],
  notSwarmPeer: [],
  protocolVersion: [2, 1],
  badHandshake: ['expected OPEN'],
  untrustedPeer: [KEY],
  revokedWhileConnecting: [KEY],
  refusedByPeer: ['no'],
  wrongPeerKey: [KEY],
  handshakeTimeout: [5000],
  frameTooLarge: [70000, 65535],
  badFrame: [],
  truncated: [],
  connectionClosed: [],
  channelRefused: ['too many connections from your key (limit 16)', KEY],
  badChannel: ['a channel name', 'x'],
  nodeClosed: [],
  connectFailed: ['127.0.0.1', 7, 'ECONNREFUSED'],
  portInUse: [7927, '*:7927'],
  badHost: ['10.9.9.9:7927'],
  portDenied: ['*:80'],
  listenFailed: ['*:1', 'EINVAL'],
  notFound: ['a.txt'],
  noAccess: ['a.txt'],
  notShareable: ['a.txt', 'not a regular file or directory'],
  nothingToShare: ['/h/empty', 3],
  tooManyFiles: ['/h/huge', 100000],
  changedWhileReading: ['/h/growing.log'],
  shareFailed: ['a.txt', CAUSE],
  badMagnet: ['no infohash'],
  untrustedSharer: [KEY],
  noAddressInLink: [],
  noPeerToFetch: [],
  noPeers: ['127.0.0.1:7: refused', 'ask them'],
  sourceChanged: ['alice', 'big.bin'],
  badPieces: ['alice', 'sent corrupt data (piece 3 failed its hash check)'],
  getFailed: ['boom'],
  interrupted: ['1 MB of 2 MB verified and kept'],
  badMetadata: ['no name'],
  unsafeName: ['file name ".." is a relative path step'],
  hiddenName: ['".bashrc"'],
  nameMismatch: ['"a"', '"b"'],
  sizeMismatch: [1, 2],
  badOutput: ['/out', 'ENOTDIR'],
  exists: ['/out/a'],
  partExists: ['/out/a.part'],
  targetAppeared: ['/out/a', '/out/a.part'],
  forceRefused: ['/out/a', 'a directory'],
  unsafePath: ['/out/a', 'it is a symbolic link'],
  stateUnwritable: ['/h/partial', 'EACCES'],
  diskFull: ['/mnt/x', 'big.bin.part', '/mnt/x/big.bin.part'],
  writeFailed: ['/out/a.part', 'the file system is read-only'],
  chatClosed: [],
  messageTooLong: [4096],
  historyUnwritable: ['/h/chat.log', CAUSE],
  historyWriteFailed: ['/h/chat.log', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })],
  demoFailed: ['the demo did not complete'],
  // pair
  badPairCode: ['7-x', 'word 1 "x" is not in the word list'],
  pairWrongCode: [],
  pairDeclined: ['the other side'],
  pairExpired: [600_000],
  pairFailed: ['the other side closed the connection', '127.0.0.1:7927'],
  pairInterrupted: [],
  pairNotFound: [7, 30_000, 'on this network'],
  // patient get
  shareStopped: ['alice', '127.0.0.1:7000'],
  otherShare: ['alice', '127.0.0.1:7000'],
  leftOutByAllow: ['alice'],
  alreadyFetching: [4242, '/h/locks/ab.lock'],
  getTimedOut: ['3 s', 'alice is unreachable at 127.0.0.1:7000 (ECONNREFUSED)', '0 B of 1 MiB kept'],
  // roaming: link liveness
  linkTimeout: [15_000],
  // share/: webtorrent's internals fence (issue 10)
  engineChanged: ['Torrent.prototype._addPeer', 'a method of 3 arguments'],
  // handshake v2 (issue 14)
  badMac1: [],
  replayedHandshake: [{ keyText: 'swarm1x', fingerprint: 'ab:cd' }],
  v1Initiator: [],
  peerRunsV1: ['127.0.0.1:7927'],
  handshakeUnanswered: [5000],
  noKeyAnswered: ['127.0.0.1:7927', 3],
  // relays through a trusted node (issue 12)
  relayRefused: ['127.0.0.9:7000', 'alice', 'not-trusted: this relay does not relay for that key'],
  relayUnanswered: ['127.0.0.9:7000'],
  unreachableNoRelay: ['alice', '192.0.2.1', 7000, 'ECONNREFUSED'],
};

function build(name: keyof typeof errors): SwarmError {
  return (errors[name] as (...args: unknown[]) => SwarmError)(...calls[name]);
}

const built = (Object.keys(calls) as (keyof typeof errors)[]).map((name) => ({ name, error: build(name) }));

describe('error catalogue', () => {
  test('every code has a factory, and every factory builds a SwarmError with a catalogued code', () => {
    const produced = new Set<ErrorCode>(built.map(({ error }) => error.code));
    expect([...produced].sort()).toEqual([...ERROR_CODES].sort());
    for (const { error } of built) {
      expect(error).toBeInstanceOf(SwarmError);
      expect(error.message).not.toMatch(/\n/);
      if (error.hint !== undefined) expect(error.hint).not.toMatch(/\n/);
    }
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });

  test('no factory name is in two groups (joining them would silently keep only one)', () => {
    const names = [cliErrors, identityErrors, connectionErrors, transferErrors, chatErrors].flatMap((group) => Object.keys(group));
    expect(names.length).toBe(Object.keys(errors).length);
  });

  test('usage errors exit 2, a get that passed its --timeout exits 124, every other error exits 1', () => {
    for (const { error } of built) expect(error.exitCode).toBe(error.code === 'USAGE' ? 2 : error.code === 'TIMED_OUT' ? 124 : 1);
  });

  test('refusals carry the key, the fingerprint and a short reason as fields', () => {
    const untrusted = errors.untrustedPeer(KEY);
    expect(untrusted).toMatchObject({ code: 'UNTRUSTED_PEER', keyText: KEY.keyText, fingerprint: KEY.fingerprint, reason: 'not trusted' });
    expect(untrusted.message).toBe("refused key 25ac:d086:4211: it is not on this node's trust list");
    expect(errors.channelRefused('x is not available here', KEY)).toMatchObject({ keyText: KEY.keyText, reason: 'x is not available here' });
    expect(errors.wrongPeerKey(KEY)).toMatchObject({ keyText: KEY.keyText, fingerprint: KEY.fingerprint });
    expect(errors.revokedWhileConnecting(KEY)).toMatchObject({ code: 'UNTRUSTED_PEER', keyText: KEY.keyText });
    expect(errors.untrustedSharer(KEY).hint).toBe(`if you know who sent it, run: swarm trust add ${KEY.keyText} --name <their name>`);
  });

  test('paths, addresses and causes travel as data', () => {
    expect(errors.corruptTrust('/h/trust.json', 'not JSON')).toMatchObject({ path: '/h/trust.json', reason: 'not JSON' });
    expect(errors.unreadable('/h/trust.json', 'EACCES', CAUSE).cause).toBe(CAUSE);
    expect(errors.connectFailed('127.0.0.1', 7, 'ECONNREFUSED')).toMatchObject({ address: '127.0.0.1:7', reason: 'ECONNREFUSED' });
    expect(errors.exists('/out/a').path).toBe('/out/a');
  });

  test('messages and hints are the sentences users and tests already know', () => {
    expect(errors.portInUse(7000, '127.0.0.1:7000').message).toBe('port 7000 is already in use (127.0.0.1:7000)');
    expect(errors.badChannel('an infohash', 'xyz').message).toBe('not an infohash: "xyz"');
    expect(errors.unsafeName('file name ".." is a relative path step').message).toBe('refusing torrent: file name ".." is a relative path step');
    expect(errors.noAddressInLink().hint).toBe("add the sharer's address with --peer host:port");
    expect(errors.noAddressInLink(true).hint).toMatch(/put the link in single quotes: swarm get 'magnet:\?…'/);
    expect(errors.fingerprintNotKey('25ac:d086:4211', 'swarm1').message).toBe('"25ac:d086:4211" is a fingerprint, not a key');
  });

  test('codes are matched by name, and only refusals and protocol failures are permanent', () => {
    expect(hasErrorCode(errors.refusedByPeer('no'), 'REFUSED_BY_PEER', 'CONNECTION_CLOSED')).toBe(true);
    expect(hasErrorCode(errors.truncated(), 'REFUSED_BY_PEER')).toBe(false);
    expect(hasErrorCode(Object.assign(new Error('x'), { code: 'REFUSED_BY_PEER' }), 'REFUSED_BY_PEER')).toBe(false);
    for (const transient of [errors.connectFailed('h', 1, 'x'), errors.handshakeTimeout(1), errors.connectionClosed(), errors.truncated()]) {
      expect(isPermanentError(transient)).toBe(false);
    }
    for (const permanent of [errors.untrustedPeer(KEY), errors.wrongPeerKey(KEY), errors.refusedByPeer('no'), errors.protocolVersion(2, 1)]) {
      expect(isPermanentError(permanent)).toBe(true);
    }
    expect(isPermanentError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(false);
  });
});
