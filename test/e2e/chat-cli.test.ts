// `swarm chat` as a command: bad options are one-line usage errors, a taken port is a
// clear failure, /quit and end of a TTY session exit 0, an unreachable peer is reported.
import { describe, expect, it } from 'vitest';
import { expectCleanFailure, runCli } from '../helpers/cli.js';
import { CliProcess } from '../helpers/cli-process.js';
import { makePeople, startChat } from '../chat/helpers/chat-world.js';
import { tempDir } from '../helpers/temp-home.js';

describe('swarm chat command line', () => {
  it('rejects bad options with one line and exit 2', async () => {
    const home = tempDir();
    expectCleanFailure(await runCli(['chat', '--peer', 'non sense'], { home }), 2, /invalid peer address "non sense"/);
    expectCleanFailure(await runCli(['chat', '--port', 'abc'], { home }), 2, /invalid port "abc"/);
    expectCleanFailure(await runCli(['chat', '--history', '-3', '--port', '0'], { home }), 2, /--history must be a whole number/);
    expectCleanFailure(await runCli(['chat', '--history-max', 'lots', '--port', '0'], { home }), 2, /--history-max must be a size, not "lots"/);
    expectCleanFailure(await runCli(['chat', '--history-max', '1k', '--port', '0'], { home }), 2, /--history-max must be at least 64k/);
    expectCleanFailure(await runCli(['chat', '--author-rate', '0', '--port', '0'], { home }), 2, /--author-rate must be a positive number/);
    expectCleanFailure(await runCli(['chat', '--author-bandwidth', 'fast', '--port', '0'], { home }), 2, /invalid rate "fast"/);
  });

  it('fails cleanly when the port is taken, and /quit exits 0', async () => {
    const people = makePeople(['a', 'b'] as const, {});
    const a = await startChat(people.a);
    expectCleanFailure(await runCli(['chat', '--host', '127.0.0.1', '--port', String(a.port)], { home: people.b.home }), 1, /port \d+ is already in use/);
    a.process.send('/peers');
    expect(await a.process.waitForEvent((e) => e.event === 'peers')).toMatchObject({ peers: [] });
    a.process.send('/help');
    await a.process.waitForEvent((e) => e.event === 'help');
    a.process.send('/quit');
    expect(await a.process.exited).toBe(0);
  });

  it('reports an unreachable --peer once and keeps running', async () => {
    const home = tempDir();
    const chat = new CliProcess(['chat', '--json', '--host', '127.0.0.1', '--port', '0', '--peer', '127.0.0.1:1'], { home });
    await chat.waitForEvent((e) => e.event === 'ready');
    const failure = await chat.waitForEvent((e) => e.event === 'dial-error');
    expect(failure).toMatchObject({ address: '127.0.0.1:1' });
    expect(chat.hasExited).toBe(false);
    expect(await chat.stop('SIGINT')).toBe(0);
    expect(chat.events.filter((e) => e.event === 'dial-error')).toHaveLength(1);
  });
});
