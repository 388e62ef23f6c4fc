// What a line typed into `swarm chat` means. Plain text is a message; a line starting
// with "/" is a command; "//" sends a message that starts with "/".
export type ChatInput =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'direct'; to: string; text: string }
  | { kind: 'peers' }
  | { kind: 'trust' }
  | { kind: 'help' }
  | { kind: 'quit' }
  | { kind: 'invalid'; message: string };

export const CHAT_HELP = [
  'type a line and press Enter to send it to everyone',
  '/msg <name> <text>   direct message, sealed so only <name> can read it',
  '/peers               who you are connected to',
  '/trust               the names you trust (swarm trust add/remove changes them)',
  '/help                this list',
  '/quit                leave (also Ctrl-D)',
  '//text               send a line that starts with "/"',
];

export function parseChatInput(line: string): ChatInput {
  const trimmed = line.replace(/\r$/, '');
  if (trimmed.trim() === '') return { kind: 'empty' };
  if (!trimmed.startsWith('/')) return { kind: 'text', text: trimmed };
  if (trimmed.startsWith('//')) return { kind: 'text', text: trimmed.slice(1) };
  const match = /^\/(\S+)\s*(.*)$/s.exec(trimmed)!;
  const command = match[1]!.toLowerCase();
  const rest = match[2]!;
  switch (command) {
    case 'msg':
    case 'dm': {
      const direct = /^(\S+)\s+(.+)$/s.exec(rest);
      if (!direct) return { kind: 'invalid', message: 'usage: /msg <name> <text>' };
      return { kind: 'direct', to: direct[1]!, text: direct[2]! };
    }
    case 'peers':
      return { kind: 'peers' };
    case 'trust':
      return { kind: 'trust' };
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'quit':
    case 'exit':
      return { kind: 'quit' };
    default:
      return { kind: 'invalid', message: `unknown command /${command} (type /help)` };
  }
}
