import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dhtNodesPath, loadDhtNodes, MAX_SAVED_NODES, saveDhtNodes } from '../../src/discovery/dht-routing-file.js';
import { tempDir } from '../helpers/temp-home.js';

const node = (i: number) => ({ host: `10.0.${i >> 8}.${i & 255}`, port: 6881, id: i.toString(16).padStart(40, '0') });

describe('the saved DHT routing table', () => {
  it('is written 0600 and read back only for the bootstrap it was learnt under, at most MAX_SAVED_NODES', () => {
    const home = tempDir();
    expect(saveDhtNodes(home, '10.9.9.9:1', Array.from({ length: 300 }, (_, i) => node(i)))).toBe(MAX_SAVED_NODES);
    expect(statSync(dhtNodesPath(home)).mode & 0o777).toBe(0o600);
    expect(loadDhtNodes(home, '10.9.9.9:1')).toHaveLength(MAX_SAVED_NODES);
    expect(loadDhtNodes(home, 'router.bittorrent.com:6881')).toEqual([]);
  });

  it('a corrupt, oversized or hostile file is ignored, and bad entries are dropped', () => {
    const home = tempDir();
    writeFileSync(dhtNodesPath(home), '{"version":1,');
    expect(loadDhtNodes(home, 'b')).toEqual([]);
    writeFileSync(dhtNodesPath(home), JSON.stringify({ version: 1, bootstrap: 'b', nodes: [node(1), { host: 'evil.example', port: 1, id: node(2).id }, { host: '10.0.0.3', port: 70000, id: node(3).id }, { host: '10.0.0.4', port: 1, id: 'xyz' }, null] }));
    expect(loadDhtNodes(home, 'b')).toEqual([node(1)]);
    writeFileSync(dhtNodesPath(home), JSON.stringify({ version: 1, bootstrap: 'b', nodes: [node(1)], pad: 'x'.repeat(70_000) }));
    expect(loadDhtNodes(home, 'b')).toEqual([]);
    expect(readFileSync(dhtNodesPath(home), 'utf8').length).toBeGreaterThan(70_000); // left as it was
  });
});
