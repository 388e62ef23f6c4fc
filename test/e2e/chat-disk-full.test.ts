// A full disk under SWARM_HOME: chat says so once (one line, or one `error` event with
// --json) and keeps chatting in memory, instead of dying with a stack trace and losing
// what is typed next. Real `swarm chat` processes; the disk is a small tmpfs (we run as
// root in the test VM; without permission to mount the test says why and skips).
import { execFileSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-home.js';
import { makePeople, messageEvents, startChat, waitForMessage, waitForPeers } from '../chat/helpers/chat-world.js';

const mounts: string[] = [];
afterEach(() => {
  for (const dir of mounts.splice(0)) execFileSync('umount', ['-l', dir]);
});

/** A tmpfs of `size` at a new directory, or the reason it cannot be mounted. */
function mountTmpfs(size: string): string | { reason: string } {
  const dir = tempDir('swarm-full-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    return { reason: String((error as { stderr?: Buffer }).stderr ?? error).trim() };
  }
  mounts.push(dir);
  return dir;
}

/** Writes until the file system says ENOSPC. */
function fillUp(dir: string): void {
  const block = Buffer.alloc(4096, 1);
  for (let i = 0; i < 100_000; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), block);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    }
  }
  throw new Error('the tmpfs never filled up');
}

const canMount = mountTmpfs('64k');
if (typeof canMount === 'object') console.log(`skipping the full-disk chat test: cannot mount a tmpfs (${canMount.reason})`);
else execFileSync('umount', [mounts.pop()!]);

describe.skipIf(typeof canMount === 'object')('chat on a full disk (real processes, tmpfs)', () => {
  for (const json of [true, false]) {
    it(`reports the failed history write once${json ? ' as an error event' : ' as one line'} and keeps delivering both ways`, { timeout: 60_000 }, async () => {
      const names = ['a', 'd'] as const;
      const people = makePeople(names, { a: ['d'], d: ['a'] });
      const disk = mountTmpfs('256k');
      if (typeof disk === 'object') throw new Error(disk.reason);
      cpSync(people.d.home, disk, { recursive: true });
      const d = { ...people.d, home: disk };
      fillUp(disk);

      const a = await startChat(people.a);
      const full = await startChat(d, { peers: [a.port], json });
      await waitForPeers(a.process, 1);
      full.process.send('one');
      await waitForMessage(a.process, 'one');
      if (json) {
        const error = await full.process.waitForEvent((e) => e.event === 'error', 15_000, 'error event');
        expect(error.code).toBe('HISTORY_WRITE_FAILED');
        expect(error.message).toMatch(/cannot write chat history .*chat-history\.jsonl \(ENOSPC\)/);
      } else {
        await full.process.waitForLine(/^! cannot write chat history .* \(ENOSPC\); chat goes on/);
      }
      a.process.send('to d');
      full.process.send('two');
      full.process.send('three');
      await waitForMessage(a.process, 'three');
      if (json) {
        await waitForMessage(full.process, 'to d');
        expect(full.process.events.filter((e) => e.event === 'error')).toHaveLength(1);
      } else {
        await full.process.waitForLine(/\] a: to d$/);
        expect(full.process.lines.filter((l) => /cannot write chat history/.test(l))).toHaveLength(1);
      }
      expect(messageEvents(a.process).map((e) => e.text)).toEqual(['one', 'two', 'three']);
      expect(full.process.stderr).not.toMatch(/at ChatHistory|ENOSPC/);
      expect(await full.process.stop('SIGINT')).toBe(0);
    });
  }
});
