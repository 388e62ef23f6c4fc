/** What a running get reports: its 'waiting' event and the snapshot its status line reads. */
import type { PeerTraffic } from './torrent-peers.js';

/**
 * Emitted as 'waiting' when no peer has been connected for a moment and a dial failed:
 * get keeps retrying, and says who it waits for and what it keeps meanwhile.
 */
export interface WaitingEvent {
  /** The trust store's name, else a short fingerprint, else the address. */
  peer: string;
  key?: string;
  address?: string;
  /** Verified bytes on disk, kept whatever happens. */
  keptBytes: number;
  /** A peer was connected earlier in this run (it "went away"), rather than never reached. */
  wasConnected: boolean;
  /** What the last dial met: "ECONNREFUSED", "refused: this share is still being prepared…". */
  reason: string;
}

export interface TransferSnapshot {
  name?: string;
  length: number;
  /** Verified bytes on disk. */
  verified: number;
  /** Bytes received from peers in this run (including any later discarded). */
  received: number;
  uploaded: number;
  downloadSpeed: number;
  uploadSpeed: number;
  peers: number;
  /** Piece bytes to and from each key this run. */
  traffic: PeerTraffic[];
  isDone: boolean;
  /** The metadata is in and the data already on disk is being hash-checked. */
  isChecking: boolean;
}
