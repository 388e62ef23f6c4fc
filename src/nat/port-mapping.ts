/**
 * Asking the home router to forward our listening TCP port: NAT-PMP first (one UDP
 * round trip), then PCP (its successor, for a router that speaks only that), then UPnP IGD. Learns the external address, renews the lease at half its
 * life, and deletes the mapping on close. A mapping the router granted is still only
 * "unverified": routers (and libraries) report success for forwarding that never works,
 * so nothing here claims reachability; a peer connecting from outside is the proof.
 */
import { EventEmitter } from 'node:events';
import { findGateway, type Gateway } from './gateway.js';
import { natPmpExternalAddress, natPmpMapTcp, natPmpUnmapTcp, NatPmpTimeout, type NatPmpOptions } from './nat-pmp-client.js';
import { newPcpNonce, pcpMapTcp, pcpUnmapTcp, PcpTimeout, type PcpOptions } from './pcp-client.js';
import { UpnpError } from './upnp-igd-codec.js';
import { UpnpGateway, type UpnpOptions } from './upnp-igd-client.js';

export type MappingMethod = 'NAT-PMP' | 'PCP' | 'UPnP';

export interface MappedPort {
  method: MappingMethod;
  gateway: string;
  externalHost: string;
  externalPort: number;
  internalPort: number;
  /** Granted lease; 0: permanent (a UPnP router that takes no lease), removed on close. */
  leaseS: number;
  /** The router's own external address is private: another NAT sits in front of it. */
  isExternalPrivate: boolean;
}

export interface PortMappingOptions {
  internalPort: number;
  /** Lease asked for (NAT-PMP's recommended 2 hours by default). */
  leaseS?: number;
  description?: string;
  gateway?: Gateway;
  natPmp?: NatPmpOptions;
  pcp?: PcpOptions;
  upnp?: UpnpOptions;
  /** The protocols to try (default all: NAT-PMP, then PCP for a router that speaks only PCP, and UPnP alongside). */
  methods?: MappingMethod[];
  /** Bound on close()'s delete request. */
  closeTimeoutMs?: number;
}

/** Both protocols failed; `message` says how, in one line. */
export class PortMappingFailure extends Error {}

/** Our address towards the gateway is public: no NAT in the way, nothing to ask. */
export class NoNatInTheWay extends Error {
  constructor(readonly localAddress: string) {
    super(`this machine's address ${localAddress} is public: no port mapping needed`);
  }
}

const DEFAULT_LEASE_S = 7200;
const UPNP_CONFLICT = 718;
const UPNP_ONLY_PERMANENT = 725;
const MAX_UPNP_PORT_TRIES = 3;

export function isPrivateIPv4(address: string): boolean {
  const octets = address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return true;
  const [a, b] = octets as [number, number, number, number];
  return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || a >= 224;
}

function checkExternal(address: string): string {
  // nat-api's lesson: an empty or 0.0.0.0 "external address" means the router has none.
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address) || address === '0.0.0.0') throw new Error(`the router reports no usable external address (${JSON.stringify(address.slice(0, 40))})`);
  return address;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class PortMapping extends EventEmitter {
  private renewTimer: NodeJS.Timeout | undefined;
  private isClosed = false;

  private constructor(
    public mapped: MappedPort,
    private readonly options: PortMappingOptions,
    private readonly upnp: UpnpGateway | undefined,
    private readonly requestedLeaseS: number,
    /** PCP: the mapping's nonce (its renewals and delete must carry it) and our address towards the router. */
    private readonly pcp?: { nonce: Uint8Array; gateway: Gateway },
  ) {
    super();
    this.scheduleRenewal();
  }

  /** Maps options.internalPort, or throws PortMappingFailure saying why each protocol failed. */
  static async open(options: PortMappingOptions): Promise<PortMapping> {
    const gateway = options.gateway ?? (await findGateway());
    if (!gateway) throw new PortMappingFailure('no default gateway (not behind a router?)');
    if (!isPrivateIPv4(gateway.localAddress)) throw new NoNatInTheWay(gateway.localAddress);
    const leaseS = options.leaseS ?? DEFAULT_LEASE_S;
    const methods = new Set(options.methods ?? ['NAT-PMP', 'PCP', 'UPnP']);
    const reasons: string[] = [];
    let isPortSilent = false;
    // The SSDP search runs alongside NAT-PMP: a router with neither then costs the longer
    // of the two waits, not their sum, before the share's magnet can be printed.
    const upnpFound = methods.has('UPnP') ? UpnpGateway.find(gateway.address, options.upnp) : Promise.resolve(undefined);
    upnpFound.catch(() => {}); // unused when NAT-PMP succeeds
    if (methods.has('NAT-PMP')) {
      try {
        const externalHost = checkExternal(await natPmpExternalAddress(gateway.address, options.natPmp));
        const granted = await natPmpMapTcp(gateway.address, options.internalPort, options.internalPort, leaseS, options.natPmp);
        const mapped = { method: 'NAT-PMP' as const, gateway: gateway.address, externalHost, externalPort: granted.externalPort, internalPort: options.internalPort, leaseS: granted.lifetimeS, isExternalPrivate: isPrivateIPv4(externalHost) };
        return new PortMapping(mapped, options, undefined, leaseS);
      } catch (error) {
        isPortSilent = error instanceof NatPmpTimeout;
        reasons.push(isPortSilent ? 'NAT-PMP: no answer' : reasonOf(error));
      }
    }
    // PCP (NAT-PMP's successor, same port): for a router that answered NAT-PMP but would not
    // map (one that speaks only PCP says "unsupported version"). Silence on 5351 is no PCP either.
    if (methods.has('PCP') && !isPortSilent) {
      try {
        const nonce = newPcpNonce();
        const granted = await pcpMapTcp(gateway, nonce, options.internalPort, options.internalPort, leaseS, options.pcp);
        const externalHost = checkExternal(granted.externalHost);
        const mapped = { method: 'PCP' as const, gateway: gateway.address, externalHost, externalPort: granted.externalPort, internalPort: options.internalPort, leaseS: granted.lifetimeS, isExternalPrivate: isPrivateIPv4(externalHost) };
        return new PortMapping(mapped, options, undefined, leaseS, { nonce, gateway });
      } catch (error) {
        reasons.push(error instanceof PcpTimeout ? 'PCP: no answer' : reasonOf(error));
      }
    }
    if (!methods.has('UPnP')) throw new PortMappingFailure(`router ${gateway.address}: ${reasons.join('; ')}`);
    let upnpReason: string;
    try {
      const upnp = await upnpFound;
      if (!upnp) throw new Error('UPnP: no answer to the SSDP search');
      const externalHost = checkExternal(await upnp.externalAddress());
      const { externalPort, grantedLeaseS } = await addUpnpMapping(upnp, gateway.localAddress, options, leaseS);
      const mapped = { method: 'UPnP' as const, gateway: gateway.address, externalHost, externalPort, internalPort: options.internalPort, leaseS: grantedLeaseS, isExternalPrivate: isPrivateIPv4(externalHost) };
      return new PortMapping(mapped, { ...options, gateway }, upnp, leaseS);
    } catch (error) {
      upnpReason = reasonOf(error);
    }
    throw new PortMappingFailure(`router ${gateway.address}: ${[...reasons, upnpReason].join('; ')}`);
  }

  private scheduleRenewal(): void {
    if (this.isClosed || this.mapped.leaseS === 0) return;
    // Half the lease, as RFC 6886 suggests; the first miss leaves the other half to retry in.
    const delayMs = Math.max(1000, (this.mapped.leaseS * 1000) / 2);
    this.renewTimer = setTimeout(() => void this.renew(), delayMs);
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    try {
      const { internalPort, externalPort } = this.mapped;
      if (this.upnp) {
        await this.upnp.addPortMapping(externalPort, this.options.gateway!.localAddress, internalPort, this.requestedLeaseS, this.options.description ?? 'swarm');
        this.mapped = { ...this.mapped, leaseS: this.requestedLeaseS };
      } else if (this.pcp) {
        const granted = await pcpMapTcp(this.pcp.gateway, this.pcp.nonce, internalPort, externalPort, this.requestedLeaseS, this.options.pcp);
        this.mapped = { ...this.mapped, externalHost: checkExternal(granted.externalHost), externalPort: granted.externalPort, leaseS: granted.lifetimeS };
      } else {
        const granted = await natPmpMapTcp(this.mapped.gateway, internalPort, externalPort, this.requestedLeaseS, this.options.natPmp);
        this.mapped = { ...this.mapped, externalPort: granted.externalPort, leaseS: granted.lifetimeS };
      }
      if (!this.isClosed) this.emit('renewed', this.mapped);
    } catch (error) {
      if (!this.isClosed) this.emit('renew-failed', error);
    }
    this.scheduleRenewal();
  }

  /**
   * Deletes the mapping (bounded in time): true when the router confirmed. One that does
   * not answer keeps it until the lease ends.
   */
  async close(): Promise<boolean> {
    if (this.isClosed) return false;
    this.isClosed = true;
    clearTimeout(this.renewTimer);
    const deleting = this.upnp
      ? this.upnp.deletePortMapping(this.mapped.externalPort)
      : this.pcp
        ? pcpUnmapTcp(this.pcp.gateway, this.pcp.nonce, this.mapped.internalPort, this.options.pcp)
        : natPmpUnmapTcp(this.mapped.gateway, this.mapped.internalPort, this.options.natPmp);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), this.options.closeTimeoutMs ?? 2000)));
    const isDeleted = await Promise.race([deleting.then(() => true, () => false), timeout]);
    clearTimeout(timer);
    return isDeleted;
  }
}

async function addUpnpMapping(upnp: UpnpGateway, internalClient: string, options: PortMappingOptions, leaseS: number): Promise<{ externalPort: number; grantedLeaseS: number }> {
  let externalPort = options.internalPort;
  let grantedLeaseS = leaseS;
  for (let attempt = 0; ; attempt++) {
    try {
      await upnp.addPortMapping(externalPort, internalClient, options.internalPort, grantedLeaseS, options.description ?? 'swarm');
      return { externalPort, grantedLeaseS };
    } catch (error) {
      if (attempt + 1 >= MAX_UPNP_PORT_TRIES || !(error instanceof UpnpError)) throw error;
      if (error.upnpCode === UPNP_ONLY_PERMANENT) grantedLeaseS = 0;
      // Someone else holds that external port: another in the dynamic range.
      else if (error.upnpCode === UPNP_CONFLICT) externalPort = 49152 + Math.floor(Math.random() * 16384);
      else throw error;
    }
  }
}
