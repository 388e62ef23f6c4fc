/**
 * What a listening node says about its port mapping (src/nat/): one line on stderr, or
 * --json events on stdout: `port-mapped {method, external, internalPort, leaseS, verified}`,
 * `port-mapping-verified {external, from}` (a trusted peer linked in from outside), `port-mapping-renewed` (with
 * `moved, previous, magnet` when the external address changed: then also a line without --json), `warning {code: NAT_UNMAPPED | NAT_RENEW_FAILED, message}`,
 * `port-unmapped {external, confirmed}`, `port-mapping-skipped {reason, localAddress}` (a public
 * address: silent without --json). A failure is never fatal: the node still serves its LAN.
 */
import type { MappedPort } from '../nat/port-mapping.js';
import { printJsonLine } from './json-output.js';

export class PortMappingReporter {
  constructor(private readonly isJson: boolean, private readonly stream: NodeJS.WritableStream = process.stderr) {}

  mapped(mapped: MappedPort): void {
    const external = `${mapped.externalHost}:${mapped.externalPort}`;
    if (this.isJson) {
      printJsonLine({ event: 'port-mapped', method: mapped.method, gateway: mapped.gateway, external, internalPort: mapped.internalPort, leaseS: mapped.leaseS, verified: false, isExternalPrivate: mapped.isExternalPrivate });
      return;
    }
    const behind = mapped.isExternalPrivate ? `; ${mapped.externalHost} is itself private, so another router sits in front and may not forward` : '';
    this.stream.write(`router ${mapped.gateway} forwards port ${mapped.externalPort} to us (${mapped.method}): friends outside dial ${external} — mapped (unverified until one connects)${behind}\n`);
  }

  /** A machine with a public address: nothing between it and the internet to ask. */
  notNeeded(localAddress: string): void {
    if (this.isJson) printJsonLine({ event: 'port-mapping-skipped', reason: 'public-address', localAddress });
  }

  failed(internalPort: number, reason: string): void {
    const message = `no port mapping (${reason}): friends outside your network cannot dial you unless TCP port ${internalPort} is forwarded to this machine (--no-nat skips asking)`;
    if (this.isJson) printJsonLine({ event: 'warning', code: 'NAT_UNMAPPED', message, internalPort });
    else this.stream.write(`${message}\n`);
  }

  /** A trusted peer linked in from outside our networks: the forwarding works. */
  verified(mapped: MappedPort, fromHost: string): void {
    const external = `${mapped.externalHost}:${mapped.externalPort}`;
    const from = fromHost.replace(/^::ffff:/i, '');
    if (this.isJson) printJsonLine({ event: 'port-mapping-verified', external, from });
    else this.stream.write(`port mapping verified: a trusted peer at ${from} reached us through ${external}\n`);
  }

  renewed(mapped: MappedPort): void {
    if (this.isJson) printJsonLine({ event: 'port-mapping-renewed', external: `${mapped.externalHost}:${mapped.externalPort}`, leaseS: mapped.leaseS });
  }

  /** A renewal gave another external address or port: say so, with the link that now works (`link`, share's magnet). */
  moved(mapped: MappedPort, previous: string, link: string | undefined): void {
    const external = `${mapped.externalHost}:${mapped.externalPort}`;
    if (this.isJson) {
      printJsonLine({ event: 'port-mapping-renewed', external, leaseS: mapped.leaseS, moved: true, previous, ...(link ? { magnet: link } : {}) });
      return;
    }
    this.stream.write(`the router moved our port mapping from ${previous} to ${external}: friends outside now dial ${external}${link ? `; the link to give them is now:\n${link}` : ''}\n`);
  }

  renewFailed(reason: string): void {
    const message = `the router did not renew our port mapping (${reason}); retrying before the lease ends`;
    if (this.isJson) printJsonLine({ event: 'warning', code: 'NAT_RENEW_FAILED', message });
    else this.stream.write(`${message}\n`);
  }

  /** On exit; `isConfirmed`: the router answered the delete (else the lease runs out by itself). */
  unmapped(mapped: MappedPort, isConfirmed: boolean): void {
    if (this.isJson) printJsonLine({ event: 'port-unmapped', external: `${mapped.externalHost}:${mapped.externalPort}`, confirmed: isConfirmed });
  }
}
