/**
 * UPnP IGD messages, pure: the SSDP search, the device description's WAN connection
 * service, and SOAP actions on it (AddPortMapping, DeletePortMapping,
 * GetExternalIPAddress). Parsing is strict and small: text from the LAN is untrusted.
 */
export const SSDP_GROUP = '239.255.255.250';
export const SSDP_PORT = 1900;
export const IGD_SEARCH_TARGET = 'urn:schemas-upnp-org:device:InternetGatewayDevice:1';
/** Best first: IGD v2's WANIPConnection:2 takes the same actions as :1. */
const WAN_SERVICES = [
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
];

export interface WanService {
  serviceType: string;
  controlUrl: string;
}

export class UpnpError extends Error {
  constructor(readonly upnpCode: number | undefined, description: string) {
    super(`UPnP: the router refused (${upnpCode === undefined ? description : `error ${upnpCode}: ${description}`})`);
  }
}

export function encodeSearch(searchTarget = IGD_SEARCH_TARGET): Buffer {
  return Buffer.from(`M-SEARCH * HTTP/1.1\r\nHOST: ${SSDP_GROUP}:${SSDP_PORT}\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ${searchTarget}\r\n\r\n`);
}

/** The LOCATION of an SSDP answer ("HTTP/1.1 200 OK" with a LOCATION header), or undefined. */
export function parseSearchResponse(datagram: Buffer): string | undefined {
  if (datagram.length > 4096) return undefined;
  const lines = datagram.toString('latin1').split('\r\n');
  if (!/^HTTP\/1\.[01] 200\b/.test(lines[0] ?? '')) return undefined;
  for (const line of lines.slice(1)) {
    const match = /^location:\s*(\S+)\s*$/i.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

function textOf(element: string, tag: string): string | undefined {
  const match = new RegExp(`<(?:[A-Za-z0-9_]+:)?${tag}>\\s*([^<]*?)\\s*</(?:[A-Za-z0-9_]+:)?${tag}>`).exec(element);
  return match ? unescapeXml(match[1]!) : undefined;
}

/** The WAN connection service of a device description, its control URL made absolute. */
export function parseDescription(xml: string, locationUrl: string): WanService | undefined {
  const services: WanService[] = [];
  for (const match of xml.matchAll(/<service>([\s\S]*?)<\/service>/g)) {
    const serviceType = textOf(match[1]!, 'serviceType');
    const control = textOf(match[1]!, 'controlURL');
    if (!serviceType || !control || !WAN_SERVICES.includes(serviceType)) continue;
    try {
      services.push({ serviceType, controlUrl: new URL(control, locationUrl).toString() });
    } catch {
      // not a URL: skip it
    }
  }
  services.sort((a, b) => WAN_SERVICES.indexOf(a.serviceType) - WAN_SERVICES.indexOf(b.serviceType));
  return services[0];
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}
function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name]!);
}

export function encodeSoapAction(serviceType: string, action: string, args: [string, string | number][]): { body: string; soapAction: string } {
  const fields = args.map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`).join('');
  const body =
    '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${escapeXml(serviceType)}">${fields}</u:${action}></s:Body></s:Envelope>\r\n`;
  return { body, soapAction: `"${serviceType}#${action}"` };
}

/**
 * The named output fields of a SOAP answer: a 200 with `<…:ActionResponse>`. A fault
 * (UPnPError) throws UpnpError with its code; anything else throws too.
 */
export function decodeSoapResponse(status: number, body: string, action: string, fields: string[] = []): Record<string, string> {
  if (status !== 200) {
    const code = textOf(body, 'errorCode');
    throw new UpnpError(code !== undefined && /^\d{1,4}$/.test(code) ? Number(code) : undefined, textOf(body, 'errorDescription') ?? `HTTP ${status}`);
  }
  // An answer with no output fields may be an empty element: <u:AddPortMappingResponse …/>.
  const response = new RegExp(`<(?:[A-Za-z0-9_]+:)?${action}Response(?:\\s[^>]*)?(?:/>|>[\\s\\S]*?</(?:[A-Za-z0-9_]+:)?${action}Response>)`).exec(body);
  if (!response) throw new UpnpError(undefined, `no ${action}Response in the answer`);
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = textOf(response[0], field);
    if (value === undefined) throw new UpnpError(undefined, `no ${field} in the answer`);
    values[field] = value;
  }
  return values;
}
