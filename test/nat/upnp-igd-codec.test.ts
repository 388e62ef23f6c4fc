import { describe, expect, test } from 'vitest';
import { decodeSoapResponse, encodeSearch, encodeSoapAction, parseDescription, parseSearchResponse, UpnpError } from '../../src/nat/upnp-igd-codec.js';

// Trimmed from miniupnpd 2.3.1's rootDesc.xml.
const DESCRIPTION = `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><controlURL>/ctl/L3F</controlURL></service></serviceList>
<deviceList><device><deviceList><device><serviceList>
<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><controlURL>/ctl/IPConn</controlURL></service>
</serviceList></device></deviceList></device></deviceList></device></root>`;

describe('UPnP IGD codec', () => {
  test('the SSDP search asks for an Internet gateway', () => {
    const text = encodeSearch().toString();
    expect(text).toMatch(/^M-SEARCH \* HTTP\/1\.1\r\n/);
    expect(text).toContain('ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n');
    expect(text.endsWith('\r\n\r\n')).toBe(true);
  });

  test('an SSDP answer gives its LOCATION; other datagrams give nothing', () => {
    const answer = 'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nLocation: http://192.168.1.1:5000/rootDesc.xml\r\n\r\n';
    expect(parseSearchResponse(Buffer.from(answer))).toBe('http://192.168.1.1:5000/rootDesc.xml');
    expect(parseSearchResponse(Buffer.from(answer.replace('200 OK', '404 Not Found')))).toBeUndefined();
    expect(parseSearchResponse(Buffer.from('NOTIFY * HTTP/1.1\r\nLOCATION: http://x/\r\n\r\n'))).toBeUndefined();
    expect(parseSearchResponse(Buffer.from(answer + 'x'.repeat(5000)))).toBeUndefined();
  });

  test('the description yields the WAN connection service with an absolute control URL', () => {
    expect(parseDescription(DESCRIPTION, 'http://192.168.1.1:5000/rootDesc.xml')).toEqual({
      serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1',
      controlUrl: 'http://192.168.1.1:5000/ctl/IPConn',
    });
    expect(parseDescription(DESCRIPTION.replace('WANIPConnection', 'WANFooConnection'), 'http://192.168.1.1:5000/')).toBeUndefined();
  });

  test('SOAP requests escape their arguments', () => {
    const { body, soapAction } = encodeSoapAction('urn:schemas-upnp-org:service:WANIPConnection:1', 'AddPortMapping', [['NewPortMappingDescription', '<evil>&"']]);
    expect(soapAction).toBe('"urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping"');
    expect(body).toContain('<NewPortMappingDescription>&lt;evil&gt;&amp;&quot;</NewPortMappingDescription>');
  });

  test('SOAP answers: fields, empty elements, faults with their UPnP code', () => {
    const ok = '<s:Envelope><s:Body><u:GetExternalIPAddressResponse xmlns:u="x"><NewExternalIPAddress>11.11.11.10</NewExternalIPAddress></u:GetExternalIPAddressResponse></s:Body></s:Envelope>';
    expect(decodeSoapResponse(200, ok, 'GetExternalIPAddress', ['NewExternalIPAddress'])).toEqual({ NewExternalIPAddress: '11.11.11.10' });
    expect(decodeSoapResponse(200, '<s:Body><u:AddPortMappingResponse xmlns:u="urn:x"/></s:Body>', 'AddPortMapping')).toEqual({});
    const fault = '<s:Fault><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>718</errorCode><errorDescription>ConflictInMappingEntry</errorDescription></UPnPError></detail></s:Fault>';
    const error = (() => {
      try {
        decodeSoapResponse(500, fault, 'AddPortMapping');
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(UpnpError);
    expect((error as UpnpError).upnpCode).toBe(718);
    expect((error as Error).message).toBe('UPnP: the router refused (error 718: ConflictInMappingEntry)');
    // A 200 that is not the action's answer is not success (nat-api's mistake).
    expect(() => decodeSoapResponse(200, '<html>ok</html>', 'AddPortMapping')).toThrow(/no AddPortMappingResponse/);
    expect(() => decodeSoapResponse(200, ok.replace('GetExternalIPAddress', 'Other'), 'GetExternalIPAddress', ['NewExternalIPAddress'])).toThrow(UpnpError);
  });
});
