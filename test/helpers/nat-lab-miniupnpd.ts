/**
 * miniupnpd in the NAT lab's router namespace, for tests: typed front of
 * nat-lab-miniupnpd-core.mjs (which bench/ imports directly; the why is there).
 */
import { existsSync } from 'node:fs';
import { natLabUnavailableReason, type NatLab } from './nat-lab.js';
// @ts-expect-error -- plain .mjs shared with bench/; typed by the declarations below
import * as core from './nat-lab-miniupnpd-core.mjs';

export interface Miniupnpd {
  log(): string;
  /** The DNAT rules miniupnpd has installed (one line each). */
  redirects(): string[];
  stop(): void;
}

export const MINIUPNPD_PATH: string = core.MINIUPNPD_PATH;
/** Not reserved in miniupnpd's list; used only inside the sealed lab. */
export const MINIUPNPD_PUBLIC_SUBNET: string = core.MINIUPNPD_PUBLIC_SUBNET;
export const startMiniupnpd: (lab: NatLab, routerIndex: number, protocols: { natPmp: boolean; upnp: boolean }) => Promise<Miniupnpd> = core.startMiniupnpd;

/** Why a lab with miniupnpd cannot run here (not root, no nftables, no miniupnpd), or undefined. */
export function miniupnpdLabUnavailableReason(): string | undefined {
  return natLabUnavailableReason() ?? (existsSync(MINIUPNPD_PATH) ? undefined : 'miniupnpd is not installed (apt-get install -y miniupnpd)');
}
