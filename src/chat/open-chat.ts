// What one `swarm chat` runs on: its history file, the session, and the node's listener,
// opened in that order and closed in reverse. The caller prints the history and the ready
// line between openChat and start(), so they come before any live message.
import type { RateLimits } from './author-rate-limit.js';
import { ChatHistory, DEFAULT_KEEP_RECENT } from './chat-history.js';
import type { LinkNode } from '../net/peer-link.js';
import { ChatSession, type ChatTrust } from './chat-session.js';

/** Where the chat listens; `isFallbackPort`: the default port was taken, so this is another one. */
export interface ListenAddress {
  host: string;
  port: number;
  isFallbackPort?: boolean;
}

/** The node slice a chat needs on top of LinkNode (structural, so net's SwarmNode fits). */
export interface ListeningChatNode extends LinkNode {
  listen(): Promise<ListenAddress>;
  close(): Promise<void>;
}

export interface OpenChatOptions {
  /** SWARM_HOME: where the history file is. */
  home: string;
  identity: { publicKey: Uint8Array; secretKey: Uint8Array };
  trust: ChatTrust;
  node: ListeningChatNode;
  /** --peer addresses, each kept linked (redialled) while the chat runs. */
  peers: readonly { host: string; port: number; keyText?: string }[];
  historyMaxBytes: number;
  rateLimits: RateLimits;
}

export interface OpenChat {
  session: ChatSession;
  address: ListenAddress;
  /** Starts links (inbound and --peer dials): live messages and peer events begin. */
  start(): void;
  /** Ends links, then the node, and always the history file. */
  close(): Promise<void>;
}

/** Opens history and session and listens; on failure whatever was opened is closed again. */
export async function openChat(options: OpenChatOptions): Promise<OpenChat> {
  const { node } = options;
  let history: ChatHistory;
  let address: ListenAddress;
  try {
    history = ChatHistory.open(options.home, DEFAULT_KEEP_RECENT, options.historyMaxBytes);
  } catch (error) {
    await node.close();
    throw error;
  }
  const { identity, trust, peers, rateLimits } = options;
  const session = new ChatSession({ identity, trust, node, history, peers, rateLimits });
  try {
    address = await node.listen();
  } catch (error) {
    await node.close();
    history.close();
    throw error;
  }
  return {
    session,
    address,
    start: () => session.start(),
    async close() {
      try {
        await session.close();
        await node.close();
      } finally {
        history.close();
      }
    },
  };
}
