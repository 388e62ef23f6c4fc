// Only src/share/webtorrent-internals.ts may name webtorrent's, bittorrent-protocol's or
// streamx's private members (issue 10): there they are checked when a client is created,
// so an upgrade that moves one fails loudly instead of silently turning off a protection.
// Comments are removed first (TypeScript's printer), so explaining a hook stays allowed.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const FENCE = join('share', 'webtorrent-internals.ts');

/** Property accesses (and the warning text) that only the fence may use. */
const INTERNALS = [
  '_connPool', '_addPeer', '_onMetadata', '_rechoke', '_update', '_updateWire', '_request', '_rarityMap',
  '_reservations', '_chunks', '_cancellations', '_peers', '_onMessageLength', '_duplexState', '_readableState',
  '_numPieces', 'haveAll', '_onData', '_onHave', '_onSuggest',
];
const FORBIDDEN = new RegExp(`\\.(?:${INTERNALS.join('|')})\\b|\\bstore\\.put\\b|failed verification`);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const withoutComments = (path: string) =>
  ts.createPrinter({ removeComments: true }).printFile(ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest));

describe('webtorrent internals fence', () => {
  it('no module but share/webtorrent-internals.ts names an engine internal', () => {
    const offenders: string[] = [];
    for (const path of sourceFiles(SRC)) {
      if (relative(SRC, path) === FENCE) continue;
      for (const line of withoutComments(path).split('\n')) {
        if (FORBIDDEN.test(line)) offenders.push(`${relative(SRC, path)}: ${line.trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the rule sees a reach when there is one', () => {
    expect(FORBIDDEN.test('torrent._rarityMap.getRarestPiece()')).toBe(true);
    expect(FORBIDDEN.test('wire._readableState.buffered')).toBe(true);
    expect(FORBIDDEN.test("const text = 'Piece 3 failed verification'")).toBe(true);
    expect(FORBIDDEN.test(withoutComments(join(SRC, FENCE)))).toBe(true);
  });
});
