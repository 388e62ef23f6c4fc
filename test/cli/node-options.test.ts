// --port / --host / --peer parsing shared by share, get and chat.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addNodeOptions, parsePeerOption, parsePort, pinnedPeerKeys } from '../../src/cli/node-options.js';
import { createIdentity } from '../../src/identity/identity.js';
import { TrustStore } from '../../src/identity/trust-store.js';
import { tempDir } from '../helpers/temp-home.js';

describe('parsePeerOption', () => {
  it('parses host:port, names and bracketed IPv6', () => {
    expect(parsePeerOption('127.0.0.2:7000')).toEqual({ host: '127.0.0.2', port: 7000 });
    expect(parsePeerOption('alice.local:1')).toEqual({ host: 'alice.local', port: 1 });
    expect(parsePeerOption('[::1]:65535')).toEqual({ host: '::1', port: 65535 });
  });

  it('takes a host alone as the default port 7927', () => {
    expect(parsePeerOption('127.0.0.1')).toEqual({ host: '127.0.0.1', port: 7927 });
    expect(parsePeerOption('nas.local')).toEqual({ host: 'nas.local', port: 7927 });
    expect(parsePeerOption('[fe80::1]')).toEqual({ host: 'fe80::1', port: 7927 });
  });

  it('parses swarm1…@host:port, the key text naming the node there, and pins that key when it is trusted', () => {
    const { keyText, publicKey } = createIdentity();
    expect(parsePeerOption(`${keyText}@127.0.0.1:7000`)).toEqual({ host: '127.0.0.1', port: 7000, keyName: keyText });
    expect(parsePeerOption(`${keyText.toUpperCase()}@[::1]:7000`)).toEqual({ host: '::1', port: 7000, keyName: keyText.toUpperCase() });
    const trust = TrustStore.load(tempDir());
    trust.add(keyText, 'alice');
    expect(pinnedPeerKeys({ trust }, [parsePeerOption(`${keyText}@127.0.0.1:7000`)])).toEqual([{ host: '127.0.0.1', port: 7000, key: publicKey }]);
    // A name that merely starts like a key in another case is still a name.
    expect(parsePeerOption('Swarm1box@127.0.0.1:7000')).toEqual({ host: '127.0.0.1', port: 7000, keyName: 'Swarm1box' });
  });

  it('refuses a malformed key text before "@" with a one-line usage error saying why', () => {
    const { keyText } = createIdentity();
    const typo = keyText.slice(0, 20) + (keyText[20] === 'a' ? 'b' : 'a') + keyText.slice(21);
    const cases: [string, RegExp][] = [
      [typo, /checksum mismatch/],
      [keyText.slice(0, -1), /63 characters/],
      [keyText.toUpperCase().slice(0, -1), /63 characters/],
      ['swarm1alice', /11 characters/],
    ];
    for (const [key, why] of cases) {
      let caught: unknown;
      try {
        parsePeerOption(`${key}@127.0.0.1:7000`);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({ code: 'USAGE', exitCode: 2, message: expect.stringMatching(/^--peer: the key before "@" is not a valid swarm key \(/), hint: expect.stringContaining('swarm id') });
      expect((caught as Error).message).toMatch(why);
      expect((caught as Error).message).not.toContain('\n');
    }
  });

  it.each([':7000', '-x', 'a..b', '[::1', '::1', '127.0.0.1:', '127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1:70x', '::1:7000', 'a b:7'])('refuses %j as a usage error with a hint', (text) => {
    expect(() => parsePeerOption(text)).toThrow(expect.objectContaining({ code: 'USAGE', exitCode: 2, hint: expect.stringContaining('host:port') }));
  });
});

describe('addNodeOptions', () => {
  const parse = (args: string[]) => addNodeOptions(new Command().exitOverride()).parse(args, { from: 'user' }).opts();

  it('collects repeated --peer and parses --port as a number', () => {
    expect(parse(['--port', '7001', '--host', '127.0.0.3', '--peer', '127.0.0.1:1', '--peer', '127.0.0.2:2'])).toEqual({
      port: 7001,
      host: '127.0.0.3',
      peer: ['127.0.0.1:1', '127.0.0.2:2'],
    });
    expect(parse([])).toEqual({});
  });

  it('refuses a bad --port or --peer as usage errors', () => {
    expect(() => parse(['--port', 'http'])).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => parsePort('70000')).toThrow(/invalid port "70000"/);
    expect(() => parse(['--peer', 'no where'])).toThrow(/invalid peer address "no where"/);
  });
});

describe('--port help', () => {
  const portHelp = (program: Command) => program.options.find((option) => option.long === '--port')!.description;

  it('names the listening default of each command: 7927 for share and chat, any free port for get', async () => {
    const { registerGetCommand } = await import('../../src/cli/get-command.js');
    const { registerShareCommand } = await import('../../src/cli/share-command.js');
    const program = new Command();
    registerGetCommand(program);
    registerShareCommand(program);
    const byName = (name: string) => program.commands.find((command) => command.name() === name)!;
    expect(portHelp(byName('get'))).toBe('TCP port to listen on (default: any free port)');
    expect(portHelp(byName('get'))).not.toContain('7927');
    expect(portHelp(byName('share'))).toBe('TCP port to listen on (default 7927, or any free port if that is taken)');
    expect(portHelp(addNodeOptions(new Command()))).toContain('default 7927');
  });
});
