// The layering of src/ (docs/ARCHITECTURE.md) as a test: every import, export-from and
// dynamic import() of every .ts file under src/ is read with TypeScript's own pre-processor,
// and an arrow that points the wrong way fails the test with the file and the specifier.
//
//   cli.ts -> cli/ -> demo/ -> ui/ -> chat/, share/ -> discovery/, nat/ -> relay/ -> net/ -> secure/ -> identity/ -> crypto/
//
// A file may import its own directory and any directory further right; chat/ and share/ sit
// side by side and never import each other; src/errors.ts and src/errors/ may be imported from anywhere.
// Some packages belong to one layer: only share/ drives webtorrent and bittorrent-protocol,
// and only crypto/ (plus identity/, which makes and checks the key files) touches
// node:crypto or tweetnacl, so every primitive has one home that its tests cover.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** Top to bottom; a module may import only modules of its own layer entry or below it. */
const LAYERS: readonly (readonly string[])[] = [
  ['cli.ts'],
  ['cli'],
  ['demo'],
  ['ui'],
  ['chat', 'share'],
  ['discovery', 'nat'],
  ['relay'],
  ['net'],
  ['secure'],
  ['identity'],
  ['crypto'],
];
const IMPORTABLE_ANYWHERE = new Set(['errors.ts', 'errors']);

/** Packages that only the named parts of src/ may import (a subpath counts as the package). */
const PACKAGE_OWNERS: Readonly<Record<string, readonly string[]>> = {
  webtorrent: ['share'],
  'bittorrent-protocol': ['share'],
  // discovery: the Mainline DHT (issue 11) is reached through discovery/dht-node.ts only
  'bittorrent-dht': ['discovery'],
  'node:crypto': ['crypto', 'identity'],
  crypto: ['crypto', 'identity'],
  tweetnacl: ['crypto', 'identity'],
  // pairing: CPace over ristretto255 lives in src/crypto/cpace.ts only
  '@noble/curves': ['crypto'],
  '@noble/hashes': ['crypto'],
};

/**
 * Known exceptions, each with the reason it stands. The lead removes an entry when the
 * import is gone; an entry that no longer matches any import fails the test, so the list
 * cannot go stale.
 */
const ALLOWED: readonly { from: string; to: string; reason: string }[] = [];

interface ImportArrow {
  /** Path below src/, with '/' separators. */
  from: string;
  /** The specifier as written. */
  to: string;
}

interface Violation extends ImportArrow {
  rule: string;
}

/** Every module specifier a file names: import, export-from, import(), import x = require(). */
function importsOf(fromPath: string, sourceText: string): ImportArrow[] {
  const { importedFiles } = ts.preProcessFile(sourceText, true, true);
  return importedFiles.map((file) => ({ from: fromPath, to: file.fileName }));
}

/** The part of src/ a path below src/ belongs to: its top directory, or the file name at the top. */
function partOf(pathBelowSrc: string): string {
  const [first, ...rest] = pathBelowSrc.split('/');
  return rest.length > 0 ? first! : first!.replace(/\.js$/, '.ts');
}

function layerOf(part: string): number {
  return LAYERS.findIndex((layer) => layer.includes(part));
}

function packageOf(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier.split('/')[0]!;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The rule an arrow breaks, or undefined when it is allowed. */
function ruleBroken({ from, to }: ImportArrow): string | undefined {
  const fromPart = partOf(from);
  if (!to.startsWith('.')) {
    const owners = PACKAGE_OWNERS[packageOf(to)];
    if (owners && !owners.includes(fromPart)) return `only ${owners.join('/, ')}/ may import ${packageOf(to)}`;
    return undefined;
  }
  const target = posix.normalize(posix.join(posix.dirname(from), to));
  if (target.startsWith('..')) return 'imports from outside src/';
  const toPart = partOf(target);
  if (toPart === fromPart || IMPORTABLE_ANYWHERE.has(toPart)) return undefined;
  if (IMPORTABLE_ANYWHERE.has(fromPart)) return `${fromPart} imports nothing from src/`;
  const fromLayer = layerOf(fromPart);
  const toLayer = layerOf(toPart);
  if (fromLayer < 0) return `${fromPart} has no layer in the import rules`;
  if (toLayer < 0) return `${toPart} has no layer in the import rules`;
  if (toLayer === fromLayer) return `${fromPart}/ and ${toPart}/ are side by side and never import each other`;
  if (toLayer < fromLayer) return `${fromPart} is below ${toPart} and may not import it`;
  return undefined;
}

/** Checks a whole graph: a map from path below src/ to its source text. */
function findViolations(files: ReadonlyMap<string, string>): Violation[] {
  const violations: Violation[] = [];
  for (const [path, text] of files) {
    for (const arrow of importsOf(path, text)) {
      const rule = ruleBroken(arrow);
      if (rule) violations.push({ ...arrow, rule });
    }
  }
  return violations;
}

function readSourceTree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.set(relative(root, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

const isAllowed = (violation: Violation) =>
  ALLOWED.some((entry) => entry.from === violation.from && packageOrTarget(violation.to) === entry.to);
const packageOrTarget = (specifier: string) => (specifier.startsWith('.') ? specifier : packageOf(specifier));

describe('import rules of src/', () => {
  const srcRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
  const files = readSourceTree(srcRoot);
  const violations = findViolations(files);

  it('reads the whole tree, every layer included', () => {
    const parts = new Set([...files.keys()].map(partOf));
    for (const part of LAYERS.flat()) expect(parts, part).toContain(part);
    expect([...parts].filter((part) => layerOf(part) < 0 && !IMPORTABLE_ANYWHERE.has(part))).toEqual([]);
    expect(files.size).toBeGreaterThan(80);
  });

  it('has no import that points up or sideways, and no package outside its owner', () => {
    const unexpected = violations.filter((violation) => !isAllowed(violation));
    expect(unexpected.map((v) => `src/${v.from} -> ${v.to}: ${v.rule}`)).toEqual([]);
  });

  it('every allowlisted exception still exists (so the list shrinks when the code does)', () => {
    for (const entry of ALLOWED) {
      expect(violations.some((v) => v.from === entry.from && packageOrTarget(v.to) === entry.to), `${entry.from} -> ${entry.to}`).toBe(true);
      expect(entry.reason.length).toBeGreaterThan(20);
    }
  });
});

describe('the import checker itself', () => {
  const planted = new Map<string, string>([
    ['net/good.ts', "import { SwarmError } from '../errors.js';\nimport { x } from '../secure/channel.js';\nimport type { Y } from './sibling.js';"],
    ['net/up.ts', "import { startShare } from '../share/share-session.js';"],
    ['net/dynamic.ts', "export async function f() { return import('../cli/program.js'); }"],
    ['chat/sideways.ts', "export { TorrentRouter } from '../share/torrent-router.js';"],
    ['share/sideways.ts', "import type { ChatSession } from '../chat/chat-session.js';"],
    ['secure/engine.ts', "import WebTorrent from 'webtorrent';\nimport Wire from 'bittorrent-protocol/index.js';"],
    ['ui/hash.ts', "import { createHash } from 'node:crypto';\nimport nacl from 'tweetnacl';"],
    ['identity/key.ts', "import { createHash } from 'node:crypto';\nimport { sign } from '../crypto/ed25519.js';"],
    ['demo/run.ts', "import { registerIdCommand } from '../cli/id-command.js';\nimport { ChatSession } from '../chat/chat-session.js';"],
    ['cli/program.ts', "import { runDemo } from '../demo/demo-world.js';\nimport { main } from '../cli.js';"],
    ['errors.ts', "import { sha256 } from './crypto/hash.js';"],
    ['escape.ts', "import { x } from '../test/helpers/cli.js';"],
  ]);
  const found = findViolations(planted).map((v) => `${v.from} -> ${v.to}`);

  it('catches upward, sideways and dynamic imports and packages outside their layer', () => {
    expect(found.sort()).toEqual(
      [
        'chat/sideways.ts -> ../share/torrent-router.js',
        'cli/program.ts -> ../cli.js',
        'demo/run.ts -> ../cli/id-command.js',
        'errors.ts -> ./crypto/hash.js',
        'escape.ts -> ../test/helpers/cli.js',
        'net/dynamic.ts -> ../cli/program.js',
        'net/up.ts -> ../share/share-session.js',
        'secure/engine.ts -> bittorrent-protocol/index.js',
        'secure/engine.ts -> webtorrent',
        'share/sideways.ts -> ../chat/chat-session.js',
        'ui/hash.ts -> node:crypto',
        'ui/hash.ts -> tweetnacl',
      ].sort(),
    );
  });

  it('says which rule an arrow breaks', () => {
    expect(ruleBroken({ from: 'net/up.ts', to: '../share/x.js' })).toBe('net is below share and may not import it');
    expect(ruleBroken({ from: 'chat/a.ts', to: '../share/x.js' })).toBe('chat/ and share/ are side by side and never import each other');
    expect(ruleBroken({ from: 'ui/a.ts', to: 'webtorrent/lib/torrent.js' })).toBe('only share/ may import webtorrent');
    expect(ruleBroken({ from: 'cli/a.ts', to: '../ui/x.js' })).toBeUndefined();
  });
});
