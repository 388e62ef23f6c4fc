/**
 * Refusals carry their cause over real SwarmNodes on 127.0.0.1 (net/refusal-reason.ts):
 * a sharing node that is still preparing says `starting` (a dialer retries it) and then
 * takes the same link once its torrent is registered; a node that shares something else,
 * nothing, or no torrents at all says which; and the dialer gives up on exactly the
 * causes that will not pass.
 */
import { describe, expect, it } from 'vitest';
import { errors } from '../../src/errors.js';
import { torrentChannel } from '../../src/net/channel-name.js';
import type { PeerLink } from '../../src/net/peer-link.js';
import { isPassingRefusal, refusalCauseOf, refusalReason, refusalText } from '../../src/net/refusal-reason.js';
import { isFinalDialError } from '../../src/share/torrent-dialer.js';
import { TorrentRouter, type LinkAcceptor } from '../../src/share/torrent-router.js';
import { createNodes } from '../helpers/test-nodes.js';

const WANTED = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);

function acceptAll(taken: PeerLink[]): LinkAcceptor {
  return { attach: (link) => (taken.push(link), true) };
}

async function refusalOf(promise: Promise<unknown>): Promise<string> {
  const error = (await promise.then(() => undefined, (e: unknown) => e)) as { code?: string; reason?: string } | undefined;
  expect(error?.code).toBe('REFUSED_BY_PEER');
  return error!.reason!;
}

describe('refusal causes over real nodes', () => {
  it('a share still preparing answers "starting" (retried), then takes the link once its torrent is added', async () => {
    const [sharer, getter] = await createNodes(2);
    const router = new TorrentRouter(sharer!.node, { isStarting: true });
    const reason = await refusalOf(getter!.node.connect('127.0.0.1', sharer!.port, torrentChannel(WANTED)));
    expect(refusalCauseOf(reason)).toBe('starting');
    expect(isFinalDialError(errors.refusedByPeer(reason))).toBe(false);
    const taken: PeerLink[] = [];
    router.add(WANTED, acceptAll(taken));
    const link = await getter!.node.connect('127.0.0.1', sharer!.port, torrentChannel(WANTED));
    expect(taken).toHaveLength(1);
    link.close();
  });

  it('a node sharing something else says other-share; with nothing left, no-share; without torrents at all, no-service: all final', async () => {
    const [sharer, getter, chatOnly] = await createNodes(3);
    const router = new TorrentRouter(sharer!.node);
    router.add(OTHER, acceptAll([]));
    const other = await refusalOf(getter!.node.connect('127.0.0.1', sharer!.port, torrentChannel(WANTED)));
    expect(refusalCauseOf(other)).toBe('other-share');
    router.remove(OTHER);
    const none = await refusalOf(getter!.node.connect('127.0.0.1', sharer!.port, torrentChannel(WANTED)));
    expect(refusalCauseOf(none)).toBe('no-share');
    chatOnly!.node.handle('chat', () => {});
    const noService = await refusalOf(getter!.node.connect('127.0.0.1', chatOnly!.port, torrentChannel(WANTED)));
    expect(refusalCauseOf(noService)).toBe('no-service');
    for (const reason of [other, none, noService]) expect(isFinalDialError(errors.refusedByPeer(reason))).toBe(true);
  });

  it('an untrusted key gets silence (NO_ANSWER, final at first contact); too many links is busy (passes)', async () => {
    const [sharer, stranger] = await createNodes(2, { trust: 'none' });
    stranger!.trust.add(sharer!.identity);
    new TorrentRouter(sharer!.node).add(WANTED, acceptAll([]));
    // Handshake v2 answers an untrusted key with nothing at all: there is no REFUSE to read.
    const silence = await stranger!.node.connect('127.0.0.1', sharer!.port, torrentChannel(WANTED), { expectedKey: sharer!.identity.publicKey }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(silence).toMatchObject({ code: 'NO_ANSWER' });
    expect(isFinalDialError(silence)).toBe(true);
    expect(isPassingRefusal(refusalReason('busy', 'too many connections from your key (limit 16)'))).toBe(true);
  });

  it('reasons without a cause word (older nodes) keep their old meaning: final unless their fixed text says otherwise', () => {
    expect(refusalCauseOf('torrent x is not available here')).toBeUndefined();
    expect(isFinalDialError(errors.refusedByPeer('torrent x is not available here'))).toBe(true);
    expect(refusalCauseOf('too many connections from your key (limit 16)')).toBe('busy');
    expect(refusalText('starting: this share is still being prepared; retry shortly')).toBe('this share is still being prepared; retry shortly');
    expect(refusalText('what: not a cause word')).toBe('what: not a cause word');
    expect(isFinalDialError(errors.connectFailed('127.0.0.1', 9, 'ECONNREFUSED'))).toBe(false);
  });
});
