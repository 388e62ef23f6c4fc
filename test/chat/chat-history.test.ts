import { describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { ChatHistory, MIN_HISTORY_MAX_BYTES } from '../../src/chat/chat-history.js';
import { authorId, bodyText } from '../../src/chat/chat-message.js';
import { tempDir } from '../helpers/temp-home.js';
import { keyPair, textMessage } from './helpers/chat-keys.js';

describe('chat history file', () => {
  it('appends signed lines that survive a reopen, oldest first, mode 0600', () => {
    const home = tempDir();
    const alice = keyPair();
    const history = ChatHistory.open(home);
    for (let seq = 1; seq <= 5; seq++) history.append(textMessage(alice, seq, `line ${seq}`));
    history.close();
    const reopened = ChatHistory.open(home);
    expect(reopened.recent(3).map(bodyText)).toEqual(['line 3', 'line 4', 'line 5']);
    expect(reopened.highestSeqs.get(authorId(alice.publicKey))).toBe(5);
    expect(statSync(reopened.path).mode & 0o777).toBe(0o600);
    reopened.close();
  });

  it('skips a line whose text was edited on disk, and garbage lines', () => {
    const home = tempDir();
    const alice = keyPair();
    const history = ChatHistory.open(home);
    history.append(textMessage(alice, 1, 'I owe bob 10'));
    history.append(textMessage(alice, 2, 'see you'));
    history.close();
    const lines = readFileSync(history.path, 'utf8').trim().split('\n');
    const first = JSON.parse(lines[0]!) as { msg: string };
    const forged = Buffer.from(Buffer.from(first.msg, 'base64').toString('latin1').replace('10', '99'), 'latin1');
    lines[0] = JSON.stringify({ ...first, msg: forged.toString('base64') });
    writeFileSync(history.path, `${lines.join('\n')}\nnot json\n`);
    const reopened = ChatHistory.open(home);
    expect(reopened.recent().map(bodyText)).toEqual(['see you']);
    expect(reopened.skippedLines).toBe(2);
    reopened.close();
  });

  it('keeps only the recent tail in memory but remembers older sequence numbers as replay floors', () => {
    const home = tempDir();
    const alice = keyPair();
    const history = ChatHistory.open(home, 10);
    for (let seq = 1; seq <= 30; seq++) history.append(textMessage(alice, seq, `m${seq}`));
    history.close();
    const reopened = ChatHistory.open(home, 10);
    expect(reopened.recent()).toHaveLength(10);
    expect(bodyText(reopened.recent()[0]!)).toBe('m21');
    expect(reopened.olderSeqFloors.get(authorId(alice.publicKey))).toBe(20);
    reopened.close();
  });

  it('stays under its cap while a flood is appended, and what was cut still counts as seen', () => {
    const home = tempDir();
    const alice = keyPair();
    const bob = keyPair();
    const maxBytes = 256 * 1024;
    const history = ChatHistory.open(home, 50, maxBytes);
    const big = 'x'.repeat(8000);
    history.append(textMessage(bob, 7, 'bob early'));
    for (let seq = 1; seq <= 200; seq++) {
      history.append(textMessage(alice, seq, `${seq} ${big}`));
      history.flush();
      expect(statSync(history.path).size).toBeLessThanOrEqual(maxBytes);
    }
    expect(history.compactions).toBeGreaterThan(0);
    history.append(textMessage(alice, 201, 'last words'));
    history.close();
    const reopened = ChatHistory.open(home, 50, maxBytes);
    expect(bodyText(reopened.recent().at(-1)!)).toBe('last words');
    // Bob's only message was cut, but its seq is still a replay floor after a restart.
    expect(reopened.olderSeqFloors.get(authorId(bob.publicKey))).toBe(7);
    expect(reopened.highestSeqs.get(authorId(alice.publicKey))).toBe(201);
    expect(reopened.olderSeqFloors.get(authorId(alice.publicKey))).toBeLessThan(201);
    expect(reopened.skippedLines).toBe(0);
    reopened.close();
  });

  it('cuts an oversized file back on open (a file from before the cap), in bounded memory', () => {
    const home = tempDir();
    const alice = keyPair();
    const history = ChatHistory.open(home);
    const big = 'y'.repeat(8000);
    for (let seq = 1; seq <= 300; seq++) history.append(textMessage(alice, seq, `${seq} ${big}`));
    history.close();
    expect(statSync(history.path).size).toBeGreaterThan(3 * 1024 * 1024);
    const reopened = ChatHistory.open(home, 20, 1024 * 1024);
    expect(statSync(reopened.path).size).toBeLessThanOrEqual(1024 * 1024);
    expect(reopened.recent()).toHaveLength(20);
    expect(bodyText(reopened.recent().at(-1)!)).toMatch(/^300 /);
    expect(reopened.olderSeqFloors.get(authorId(alice.publicKey))).toBe(280);
    reopened.close();
    expect(() => ChatHistory.open(home, 20, MIN_HISTORY_MAX_BYTES - 1)).toThrow(RangeError);
  });

  it('survives a torn last line and an overlong garbage line', () => {
    const home = tempDir();
    const alice = keyPair();
    const history = ChatHistory.open(home);
    history.append(textMessage(alice, 1, 'first'));
    history.close();
    appendFileSync(history.path, `${'z'.repeat(200_000)}
{"id":"torn","msg":"AAAA`);
    const reopened = ChatHistory.open(home);
    reopened.append(textMessage(alice, 2, 'second'));
    reopened.close();
    const again = ChatHistory.open(home);
    expect(again.recent().map(bodyText)).toEqual(['first', 'second']);
    expect(again.skippedLines).toBe(2);
    again.close();
  });

  it('two processes sharing a home both append, neither overwrites the other', () => {
    const home = tempDir();
    const alice = keyPair();
    const first = ChatHistory.open(home);
    const second = ChatHistory.open(home);
    first.append(textMessage(alice, 1, 'from the first'));
    first.flush();
    second.append(textMessage(alice, 2, 'from the second'));
    second.flush();
    first.append(textMessage(alice, 3, 'first again'));
    first.close();
    second.close();
    expect(ChatHistory.open(home).recent().map(bodyText)).toEqual(['from the first', 'from the second', 'first again']);
  });
});
