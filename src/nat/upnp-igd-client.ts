/**
 * UPnP IGD over the LAN: SSDP search (two multicast sends, one short wait), the device
 * description over HTTP, and SOAP calls to its WAN connection service. Only the default
 * gateway is believed: answers from other hosts, and URLs pointing elsewhere, are ignored,
 * so another machine on the LAN cannot pose as the router. Every exchange is capped in
 * time and bytes.
 */
import { createSocket } from 'node:dgram';
import { request as httpRequest } from 'node:http';
import { SSDP_GROUP, SSDP_PORT, UpnpError, decodeSoapResponse, encodeSearch, encodeSoapAction, parseDescription, parseSearchResponse, type WanService } from './upnp-igd-codec.js';

const MAX_HTTP_BYTES = 64 * 1024;

export interface UpnpOptions {
  searchMs?: number;
  httpTimeoutMs?: number;
}

export async function searchGateway(gateway: string, searchMs: number): Promise<string | undefined> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  try {
    return await new Promise<string | undefined>((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const done = (location: string | undefined) => {
        timers.forEach(clearTimeout);
        resolve(location);
      };
      socket.on('message', (datagram, from) => {
        const location = parseSearchResponse(datagram);
        if (from.address === gateway && location && isOnHost(location, gateway)) done(location);
      });
      socket.once('error', reject);
      socket.bind(0, () => {
        const search = encodeSearch();
        const send = () => socket.send(search, SSDP_PORT, SSDP_GROUP);
        send();
        timers.push(setTimeout(send, Math.floor(searchMs / 3)));
        timers.push(setTimeout(() => done(undefined), searchMs));
      });
    });
  } finally {
    socket.close();
  }
}

function isOnHost(url: string, host: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' && parsed.hostname === host;
  } catch {
    return false;
  }
}

function fetchText(url: string, timeoutMs: number, body?: { text: string; soapAction: string }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: body ? 'POST' : 'GET',
        timeout: timeoutMs,
        headers: body ? { 'Content-Type': 'text/xml; charset="utf-8"', SOAPAction: body.soapAction, 'Content-Length': Buffer.byteLength(body.text) } : {},
      },
      (response) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_HTTP_BYTES) return request.destroy(new Error(`UPnP: answer over ${MAX_HTTP_BYTES} bytes`));
          chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    const timer = setTimeout(() => request.destroy(new Error('UPnP: the router did not answer in time')), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
    request.end(body?.text);
  });
}

export class UpnpGateway {
  private constructor(private readonly service: WanService, private readonly httpTimeoutMs: number) {}

  /** The router's IGD, or undefined when it does not answer SSDP (or answers with no WAN service). */
  static async find(gateway: string, options: UpnpOptions = {}): Promise<UpnpGateway | undefined> {
    const location = await searchGateway(gateway, options.searchMs ?? 1500);
    if (!location) return undefined;
    const httpTimeoutMs = options.httpTimeoutMs ?? 3000;
    const description = await fetchText(location, httpTimeoutMs);
    const service = description.status === 200 ? parseDescription(description.text, location) : undefined;
    if (!service || !isOnHost(service.controlUrl, gateway)) throw new UpnpError(undefined, 'the router describes no WAN connection service');
    return new UpnpGateway(service, httpTimeoutMs);
  }

  private async call(action: string, args: [string, string | number][], fields: string[] = []): Promise<Record<string, string>> {
    const { body, soapAction } = encodeSoapAction(this.service.serviceType, action, args);
    const answer = await fetchText(this.service.controlUrl, this.httpTimeoutMs, { text: body, soapAction });
    return decodeSoapResponse(answer.status, answer.text, action, fields);
  }

  async externalAddress(): Promise<string> {
    return (await this.call('GetExternalIPAddress', [], ['NewExternalIPAddress'])).NewExternalIPAddress!;
  }

  async addPortMapping(externalPort: number, internalClient: string, internalPort: number, leaseS: number, description: string): Promise<void> {
    await this.call('AddPortMapping', [
      ['NewRemoteHost', ''],
      ['NewExternalPort', externalPort],
      ['NewProtocol', 'TCP'],
      ['NewInternalPort', internalPort],
      ['NewInternalClient', internalClient],
      ['NewEnabled', 1],
      ['NewPortMappingDescription', description],
      ['NewLeaseDuration', leaseS],
    ]);
  }

  async deletePortMapping(externalPort: number): Promise<void> {
    await this.call('DeletePortMapping', [
      ['NewRemoteHost', ''],
      ['NewExternalPort', externalPort],
      ['NewProtocol', 'TCP'],
    ]);
  }
}
