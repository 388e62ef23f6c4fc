import { describe, expect, it } from 'vitest';
import { parseChatInput } from '../../src/chat/chat-input.js';

describe('chat input', () => {
  it('reads text, commands and direct messages', () => {
    expect(parseChatInput('hello /world')).toEqual({ kind: 'text', text: 'hello /world' });
    expect(parseChatInput('   ')).toEqual({ kind: 'empty' });
    expect(parseChatInput('/msg carol  see you at 5')).toEqual({ kind: 'direct', to: 'carol', text: 'see you at 5' });
    expect(parseChatInput('/peers')).toEqual({ kind: 'peers' });
    expect(parseChatInput('/TRUST')).toEqual({ kind: 'trust' });
    expect(parseChatInput('/quit')).toEqual({ kind: 'quit' });
    expect(parseChatInput('/help')).toEqual({ kind: 'help' });
    expect(parseChatInput('//not a command')).toEqual({ kind: 'text', text: '/not a command' });
    expect(parseChatInput('line\r')).toEqual({ kind: 'text', text: 'line' });
  });

  it('explains bad commands', () => {
    expect(parseChatInput('/msg carol')).toEqual({ kind: 'invalid', message: 'usage: /msg <name> <text>' });
    expect(parseChatInput('/frobnicate')).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/unknown command \/frobnicate/) });
  });
});
