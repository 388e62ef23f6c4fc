/**
 * What LAN and DHT discovery say: a warning when it cannot run (the command goes on without it),
 * and with --json a `discovered` event for each trusted peer a beacon named:
 *   {"event":"discovered","via":"lan" (or "dht"),"key":"swarm1…","name":"alice","address":"192.168.1.20:7927"}
 * Without --json a found peer prints nothing: the connection it leads to is reported anyway.
 */
import type { DiscoveredPeer } from '../discovery/lan-discovery.js';
import { formatPeerAddress } from '../net/peer-address.js';
import { printJsonLine } from './json-output.js';
import { escapeTerminal } from './terminal-text.js';

export class DiscoveryReporter {
  // Each key and address once: beacons repeat every few seconds.
  private readonly reported = new Set<string>();

  constructor(private readonly options: { isJson: boolean; nameOf?: (keyText: string) => string | undefined; stream?: NodeJS.WritableStream; isFoundReported?: boolean }) {}

  lanUnavailable(reason: string): void {
    const message = `LAN discovery is off: ${reason}`;
    if (this.options.isJson) printJsonLine({ event: 'warning', code: 'LAN_UNAVAILABLE', message });
    else (this.options.stream ?? process.stderr).write(`warning: ${escapeTerminal(message)}\n`);
  }

  dhtUnavailable(reason: string): void {
    const message = `DHT discovery is off: ${reason}`;
    if (this.options.isJson) printJsonLine({ event: 'warning', code: 'DHT_UNAVAILABLE', message });
    else (this.options.stream ?? process.stderr).write(`warning: ${escapeTerminal(message)}\n`);
  }

  found(peer: DiscoveredPeer): void {
    const address = formatPeerAddress({ host: peer.host, port: peer.port });
    const id = `${peer.keyText} ${address}`;
    if (!this.options.isJson || this.options.isFoundReported === false || this.reported.has(id) || this.reported.size >= 1024) return;
    this.reported.add(id);
    printJsonLine({ event: 'discovered', via: peer.via ?? 'lan', key: peer.keyText, name: this.options.nameOf?.(peer.keyText), address, ...(peer.isRelay ? { isRelay: true } : {}) });
  }
}
