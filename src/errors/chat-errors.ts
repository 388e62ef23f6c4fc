/** Failures of a chat session: a closed chat, an over-long line, and the history file. */
import { makeError, systemErrorCode } from './swarm-error.js';

export const chatErrors = {
  chatClosed: () => makeError('CHAT_CLOSED', 'the chat has ended'),
  messageTooLong: (maxBytes: number) => makeError('MESSAGE_TOO_LONG', `message too long (over ${maxBytes} bytes)`, { hint: 'split it into several lines' }),
  historyUnwritable: (path: string, cause: unknown) =>
    makeError<'HISTORY_UNWRITABLE', 'path'>('HISTORY_UNWRITABLE', `cannot use chat history ${path}`, { hint: 'check the permissions of the swarm home directory', cause, path }),

  historyWriteFailed: (path: string, cause: unknown) =>
    makeError<'HISTORY_WRITE_FAILED', 'path'>('HISTORY_WRITE_FAILED', `cannot write chat history ${path} (${systemErrorCode(cause) ?? (cause instanceof Error ? cause.message : String(cause))})`, {
      hint: 'chat goes on; messages from now on are kept in memory only, until it ends (free some disk space)', cause, path,
    }),
};
