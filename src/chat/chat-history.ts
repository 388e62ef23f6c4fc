// Chat history: `<home>/chat-history.jsonl`, one signed message per line:
//   {"id":hex,"from":keyText,"seq":n,"ts":ms,"kind":"public"|"direct","msg":base64}
// `msg` is the message exactly as signed (chat-message.ts); the other fields are only
// for people reading the file. The recent lines are verified again before use and a line
// that fails is skipped, so an edited file cannot put words in anyone's mouth. Direct
// messages stay sealed on disk: only their recipient (and author) can open them.
// (A retained line is verified when it is first shown or sent, not on every start.)
//
// The file is capped (maxBytes, default 64 MiB): when it grows past the cap it is
// compacted to its newest half, and the highest sequence per author among the dropped
// lines is kept in a first line {"floors":{authorHex:seq,…}}, so what was dropped still
// cannot be replayed. It is read in fixed chunks (history-file.ts) keeping only the last
// keepRecent lines, so start-up memory and time do not grow with the file.
//
// A write that fails (disk full, I/O error) is told once through onWriteError; from then
// on messages are kept in memory only, so a full disk never ends the chat.
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../identity/atomic-file.js';
import { errors, type SwarmError } from '../errors.js';
import { cachedKeyText } from './key-text-cache.js';
import { authorId, decodeMessage, MessageKind, verifyMessage, type ChatMessage } from './chat-message.js';
import { forEachLine, lineStartAtOrAfter, readText, rewriteTail } from './history-file.js';
import { FLOORS_PREFIX, isFloorsLine, parseLine, scanFloor, type HistoryLine } from './history-lines.js';

export const HISTORY_FILE = 'chat-history.jsonl';
export const DEFAULT_KEEP_RECENT = 1000;
export const DEFAULT_HISTORY_MAX_BYTES = 64 * 1024 * 1024;
/** Below this a cap would hold too few messages to be useful (a message line is up to ~11 KiB). */
export const MIN_HISTORY_MAX_BYTES = 64 * 1024;

type Decoded = NonNullable<ReturnType<typeof decodeMessage>>;

/**
 * A retained line: decoded on load, its signature checked only when it is first shown or
 * sent (verifying 1,000 8 KiB messages on every start would cost a quarter of a second).
 * `message` is undefined until checked, null when the check failed.
 */
interface RecentEntry {
  decoded: Decoded;
  /** Order of arrival in this process (loaded lines first): what came after a link opened went over it live. */
  serial: number;
  message?: ChatMessage | null;
}

export class ChatHistory {
  private recentEntries: RecentEntry[] = [];
  private nextSerial = 0;
  /** Highest sequence per author (hex) in the whole file (our own next seq starts above it). */
  readonly highestSeqs = new Map<string, number>();
  /**
   * Highest sequence per author among the old lines that are not kept in recent(): a
   * restarted node refuses everything at or below it as a replay.
   */
  readonly olderSeqFloors = new Map<string, number>();
  /** Lines that were unreadable or failed verification (left in the file, not used). */
  skippedLines = 0;
  /** Times the file was cut back to its newest half. */
  compactions = 0;
  private fd: number | undefined;
  private sizeBytes = 0;
  private retryCompactAtBytes = 0;
  private pendingLines: string[] = [];
  private flushScheduled = false;
  /** Set once a write failed (disk full, I/O error): from then on history lives in memory only. */
  writeError: SwarmError | undefined;
  /** Told once, when a write first fails; chat goes on (the caller says so to the user). */
  onWriteError: ((error: SwarmError) => void) | undefined;

  private constructor(readonly path: string, private readonly keepRecent: number, readonly maxBytes: number) {}

  static open(home: string, keepRecent = DEFAULT_KEEP_RECENT, maxBytes = DEFAULT_HISTORY_MAX_BYTES): ChatHistory {
    if (!(maxBytes >= MIN_HISTORY_MAX_BYTES)) throw new RangeError(`history cap under ${MIN_HISTORY_MAX_BYTES} bytes`);
    ensurePrivateDir(home);
    const history = new ChatHistory(join(home, HISTORY_FILE), keepRecent, maxBytes);
    try {
      // Append mode: two processes sharing a home (one identity) both add lines, neither overwrites.
      history.fd = openSync(history.path, 'a+', PRIVATE_FILE_MODE);
      history.sizeBytes = fstatSync(history.fd).size;
      if (history.sizeBytes > maxBytes) history.compact();
      history.load();
    } catch (error) {
      if (history.fd !== undefined) closeSync(history.fd);
      throw errors.historyUnwritable(history.path, error);
    }
    return history;
  }

  /** Up to `count` of the latest genuine messages, oldest first. */
  recent(count = this.keepRecent): ChatMessage[] {
    const messages: ChatMessage[] = [];
    for (const message of this.newestFirst()) {
      if (messages.length >= count) break;
      messages.push(message);
    }
    return messages.reverse();
  }

  /**
   * The retained messages, newest first, each verified when reached (a line that fails
   * is skipped and counted). `accept` sees the unverified message first, so what would
   * be filtered out anyway costs no signature check.
   */
  *newestFirst(accept: (message: Decoded) => boolean = () => true, beforeSerial = Infinity): Generator<ChatMessage> {
    for (let i = this.recentEntries.length - 1; i >= 0; i--) {
      const entry = this.recentEntries[i]!;
      if (entry.serial >= beforeSerial || entry.message === null || !accept(entry.decoded)) continue;
      if (entry.message === undefined) {
        entry.message = verifyMessage(entry.decoded) ?? null;
        if (entry.message === null) {
          this.skippedLines++;
          continue;
        }
      }
      yield entry.message;
    }
  }

  /** The serial the next message will get: pass it to newestFirst() later to leave out what comes from now on. */
  get serial(): number {
    return this.nextSerial;
  }

  /** Every retained message, unverified, oldest first (our own file: trusted for what we hold, never shown or sent). */
  *retainedDecoded(): Generator<Decoded> {
    for (const entry of this.recentEntries) if (entry.message !== null) yield entry.decoded;
  }

  /** Author (hex) and seq of every retained line, verified or not (our own file: trusted for replay state). */
  *retainedSeqs(): Generator<[author: string, seq: number]> {
    for (const { decoded } of this.recentEntries) yield [authorId(decoded.author), decoded.seq];
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
    this.remember(message, message);
    if (this.writeError) return;
    this.pendingLines.push(`${JSON.stringify(line)}\n`);
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
    try {
      writeSync(this.fd, text);
      this.sizeBytes = fstatSync(this.fd).size;
    } catch (error) {
      // Disk full or failing: a half-written line is repaired on the next start (load()).
      this.writeError = errors.historyWriteFailed(this.path, error);
      this.onWriteError?.(this.writeError);
      return;
    }
    if (this.sizeBytes > Math.max(this.maxBytes, this.retryCompactAtBytes)) {
      try {
        this.compact();
      } catch {
        // Disk full or the like: keep chatting (and appending); try again a quarter cap later.
        this.retryCompactAtBytes = this.sizeBytes + Math.floor(this.maxBytes / 4);
      }
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // EIO on close after a failed write: nothing more to save.
      }
    }
    this.fd = undefined;
  }

  /** Keeps the newest half of the cap; the dropped lines leave only their replay floors. */
  private compact(): void {
    const fd = this.fd!;
    const cut = lineStartAtOrAfter(fd, this.sizeBytes - Math.floor(this.maxBytes / 2), this.sizeBytes);
    const dropped = new Map<string, number>();
    forEachLine(fd, 0, cut, (line) => scanFloor(line, (author, seq) => raise(dropped, author, seq)));
    rewriteTail(this.path, fd, cut, this.sizeBytes, `${FLOORS_PREFIX}${JSON.stringify(Object.fromEntries(dropped))}}\n`);
    closeSync(fd);
    this.fd = openSync(this.path, 'a+', PRIVATE_FILE_MODE);
    this.sizeBytes = fstatSync(this.fd).size;
    for (const [author, seq] of dropped) raise(this.olderSeqFloors, author, seq);
    this.compactions++;
  }

  private remember(decoded: Decoded, message?: ChatMessage): void {
    raise(this.highestSeqs, authorId(decoded.author), decoded.seq);
    this.recentEntries.push({ decoded, message, serial: this.nextSerial++ });
    if (this.recentEntries.length > this.keepRecent * 2) this.recentEntries = this.recentEntries.slice(-this.keepRecent);
  }

  private load(): void {
    // Where the last keepRecent lines are, in a ring, with the author and seq read from
    // each line's bytes as it passes (no copy, no JSON parse): a line pushed out of the
    // ring only raises its author's replay floor (it is never shown or sent), so reading,
    // parsing and verifying is spent on the lines that are.
    const ring = {
      offsets: new Float64Array(this.keepRecent),
      lengths: new Int32Array(this.keepRecent),
      authors: new Array<string | undefined>(this.keepRecent),
      seqs: new Float64Array(this.keepRecent),
    };
    let count = 0;
    const older = (author: string | undefined, seq: number) => {
      if (author === undefined) return this.skippedLines++;
      raise(this.highestSeqs, author, seq);
      raise(this.olderSeqFloors, author, seq);
    };
    forEachLine(this.fd!, 0, this.sizeBytes, (line) => {
      if (line && line.end === line.start) return;
      let author: string | undefined;
      let seq = 0;
      const isFloors = line !== undefined && isFloorsLine(line);
      const found = scanFloor(line, (lineAuthor, lineSeq) => (isFloors ? older(lineAuthor, lineSeq) : ((author = lineAuthor), (seq = lineSeq))));
      if (isFloors) {
        if (!found) this.skippedLines++;
        return;
      }
      if (this.keepRecent === 0) return older(author, seq);
      const slot = count % this.keepRecent;
      if (count >= this.keepRecent) older(ring.authors[slot], ring.seqs[slot]!);
      ring.offsets[slot] = line ? line.offset : 0;
      ring.lengths[slot] = line ? line.end - line.start : -1;
      ring.authors[slot] = author;
      ring.seqs[slot] = seq;
      count++;
    });
    for (let i = Math.max(0, count - this.keepRecent); i < count; i++) {
      const slot = i % this.keepRecent;
      const decoded = ring.lengths[slot]! < 0 ? undefined : parseLine(readText(this.fd!, ring.offsets[slot]!, ring.lengths[slot]!));
      if (decoded) this.remember(decoded);
      else this.skippedLines++;
    }
    // A line cut short by a crash must not swallow the next one we write.
    if (this.sizeBytes > 0 && readText(this.fd!, this.sizeBytes - 1, 1) !== '\n') {
      writeSync(this.fd!, '\n');
      this.sizeBytes = fstatSync(this.fd!).size;
    }
  }
}

function raise(map: Map<string, number>, author: string, seq: number): void {
  if ((map.get(author) ?? -1) < seq) map.set(author, seq);
}
