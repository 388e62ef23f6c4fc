import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { ChatHistory } from '../../src/chat/chat-history.js';
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
});
