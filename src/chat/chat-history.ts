// Chat history: `<home>/chat-history.jsonl`, append-only, one signed message per line:
//   {"id":hex,"from":keyText,"seq":n,"ts":ms,"kind":"public"|"direct","msg":base64}
// `msg` is the message exactly as signed (chat-message.ts); the other fields are only
// for people reading the file. On load the recent lines are verified again and a line
// that fails is skipped, so an edited file cannot put words in anyone's mouth. Direct
// messages stay sealed on disk: only their recipient (and author) can open them.
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../identity/atomic-file.js';
import { SwarmError } from '../errors.js';
import { cachedKeyText } from './key-text-cache.js';
import { authorId, decodeMessage, MessageKind, verifyMessage, type ChatMessage } from './chat-message.js';

export const HISTORY_FILE = 'chat-history.jsonl';
export const DEFAULT_KEEP_RECENT = 1000;

interface HistoryLine {
  id: string;
  from: string;
  seq: number;
  ts: number;
  kind: 'public' | 'direct';
  msg: string;
}

export class ChatHistory {
  private recentMessages: ChatMessage[] = [];
  /** Highest sequence per author (hex) in the whole file (our own next seq starts above it). */
  readonly highestSeqs = new Map<string, number>();
  /**
   * Highest sequence per author among the old lines that are not kept in recent(): a
   * restarted node refuses everything at or below it as a replay.
   */
  readonly olderSeqFloors = new Map<string, number>();
  /** Lines that were unreadable or failed verification (left in the file, not used). */
  skippedLines = 0;
  private fd: number | undefined;
  private pendingLines: string[] = [];
  private flushScheduled = false;

  private constructor(readonly path: string, private readonly keepRecent: number) {}

  static open(home: string, keepRecent = DEFAULT_KEEP_RECENT): ChatHistory {
    ensurePrivateDir(home);
    const history = new ChatHistory(join(home, HISTORY_FILE), keepRecent);
    history.load();
    try {
      history.fd = openSync(history.path, 'a', PRIVATE_FILE_MODE);
    } catch (error) {
      throw new SwarmError('HISTORY_UNWRITABLE', `cannot write chat history ${history.path}`, {
        hint: 'check the permissions of the swarm home directory',
        cause: error,
      });
    }
    return history;
  }

  /** Up to `count` of the latest messages, oldest first. */
  recent(count = this.keepRecent): ChatMessage[] {
    return this.recentMessages.slice(Math.max(0, this.recentMessages.length - count));
  }

  append(message: ChatMessage): void {
    const line: HistoryLine = {
      id: message.id,
      from: cachedKeyText(message.author),
      seq: message.seq,
      ts: message.ts,
      kind: message.kind === MessageKind.Direct ? 'direct' : 'public',
      msg: Buffer.from(message.encoded).toString('base64'),
    };
    this.pendingLines.push(`${JSON.stringify(line)}\n`);
    this.remember(message);
    // Batch the writes of one tick: a burst of relayed messages costs one syscall.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.fd === undefined || this.pendingLines.length === 0) return;
    const text = this.pendingLines.join('');
    this.pendingLines = [];
    writeSync(this.fd, text);
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private remember(message: ChatMessage): void {
    const author = authorId(message.author);
    if ((this.highestSeqs.get(author) ?? -1) < message.seq) this.highestSeqs.set(author, message.seq);
    this.recentMessages.push(message);
    if (this.recentMessages.length > this.keepRecent * 2) this.recentMessages = this.recent(this.keepRecent);
  }

  private load(): void {
    if (!existsSync(this.path)) return;
    const lines = readFileSync(this.path, 'utf8').split('\n').filter((line) => line.trim() !== '');
    const firstVerified = Math.max(0, lines.length - this.keepRecent);
    for (const [index, line] of lines.entries()) {
      const decoded = parseLine(line);
      if (!decoded) {
        this.skippedLines++;
        continue;
      }
      if (index < firstVerified) {
        // Old lines only raise the replay floor; they are never shown or sent, so the
        // cost of verifying a long file is spent on the lines that are.
        const author = authorId(decoded.author);
        if ((this.highestSeqs.get(author) ?? -1) < decoded.seq) this.highestSeqs.set(author, decoded.seq);
        if ((this.olderSeqFloors.get(author) ?? -1) < decoded.seq) this.olderSeqFloors.set(author, decoded.seq);
        continue;
      }
      const message = verifyMessage(decoded);
      if (message) this.remember(message);
      else this.skippedLines++;
    }
  }
}

function parseLine(line: string): ReturnType<typeof decodeMessage> {
  try {
    const parsed = JSON.parse(line) as Partial<HistoryLine>;
    if (typeof parsed.msg !== 'string') return undefined;
    return decodeMessage(new Uint8Array(Buffer.from(parsed.msg, 'base64')));
  } catch {
    return undefined;
  }
}
