/**
 * The DHT routing table kept between runs (SWARM_HOME/dht-nodes.json, 0600, written
 * atomically), so a restart asks the nodes it knew instead of cold-bootstrapping. It is a
 * cache: a missing, corrupt or foreign file is ignored, never an error. The table is kept
 * only for the bootstrap it was learnt under, so nodes of the public DHT are never asked
 * by a node pointed at a private one (and the other way round).
 */
import { join } from 'node:path';
import { isIP } from 'node:net';
import { readFileIfExists, writeFileAtomic } from '../identity/atomic-file.js';

export const DHT_NODES_FILE = 'dht-nodes.json';
export const MAX_SAVED_NODES = 128;
const VERSION = 1;

export interface SavedNode {
  host: string;
  port: number;
  /** The node's 20-byte id, hex. */
  id: string;
}

export function dhtNodesPath(home: string): string {
  return join(home, DHT_NODES_FILE);
}

/** The saved nodes learnt under this bootstrap (at most MAX_SAVED_NODES, each checked). */
export function loadDhtNodes(home: string, bootstrap: string): SavedNode[] {
  let text: string | undefined;
  try {
    text = readFileIfExists(dhtNodesPath(home));
  } catch {
    return [];
  }
  if (text === undefined || text.length > 64 * 1024) return [];
  try {
    const file = JSON.parse(text) as { version?: unknown; bootstrap?: unknown; nodes?: unknown };
    if (file.version !== VERSION || file.bootstrap !== bootstrap || !Array.isArray(file.nodes)) return [];
    return file.nodes.slice(0, MAX_SAVED_NODES).filter(isSavedNode);
  } catch {
    return [];
  }
}

/** Saves up to MAX_SAVED_NODES nodes; a write failure is ignored (the cache is a help only). */
export function saveDhtNodes(home: string, bootstrap: string, nodes: SavedNode[]): number {
  const kept = nodes.filter(isSavedNode).slice(0, MAX_SAVED_NODES);
  try {
    writeFileAtomic(dhtNodesPath(home), `${JSON.stringify({ version: VERSION, bootstrap, nodes: kept })}\n`);
  } catch {
    return 0;
  }
  return kept.length;
}

/** How many nodes the file holds for this bootstrap (for `swarm id --json`). */
export function countDhtNodes(home: string, bootstrap: string): number {
  return loadDhtNodes(home, bootstrap).length;
}

function isSavedNode(node: unknown): node is SavedNode {
  const n = node as Partial<SavedNode> | null;
  return (
    typeof n === 'object' && n !== null &&
    typeof n.host === 'string' && isIP(n.host) !== 0 &&
    Number.isInteger(n.port) && n.port! >= 1 && n.port! <= 65535 &&
    typeof n.id === 'string' && /^[0-9a-f]{40}$/.test(n.id)
  );
}
