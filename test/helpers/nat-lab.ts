/**
 * The NAT lab for tests (homes behind masquerading routers, a public segment): typed
 * front of nat-lab-core.mjs, which bench/ imports directly.
 */
import type { ChildProcessWithoutNullStreams, SpawnOptions } from 'node:child_process';
// @ts-expect-error -- plain .mjs shared with bench/; typed by the interfaces below
import * as core from './nat-lab-core.mjs';

export interface LabRouter {
  ns: string;
  /** The router's address on the public segment (what the world sees). */
  wanAddress: string;
  lanAddress: string;
  lanSubnet: string;
}

export interface LabHome {
  ns: string;
  address: string;
  router: LabRouter;
}

export interface LabHost {
  ns: string;
  address: string;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface NatLab {
  prefix: string;
  publicSubnet: string;
  hub: string;
  routers: LabRouter[];
  homes: LabHome[];
  publicHosts: Record<string, LabHost>;
  wrapper(ns: string): string[];
  exec(ns: string, command: string, args?: string[], options?: { timeoutMs?: number; input?: string }): ExecResult;
  spawn(ns: string, command: string, args?: string[], options?: SpawnOptions): ChildProcessWithoutNullStreams;
  nft(ns: string, script: string): void;
  destroy(): void;
}

export interface NatLabOptions {
  homes?: number;
  /** Names (lowercase, up to 12 chars) of extra hosts on the public segment. */
  publicHosts?: string[];
  /** First three octets of the public /24 (default 203.0.113, a documentation range). */
  publicSubnet?: string;
}

export const natLabUnavailableReason: () => string | undefined = core.natLabUnavailableReason;
export const createNatLab: (options?: NatLabOptions) => NatLab = core.createNatLab;
