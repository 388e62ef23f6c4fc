// Key text (base32 + checksum hash) costs more than the rest of handling a chat message,
// and a chat sees the same few authors again and again: remember it per key.
import { encodeKeyText } from '../identity/key-text.js';
import { authorId } from './chat-message.js';

const CACHE_LIMIT = 1024;
const cache = new Map<string, string>();

export function cachedKeyText(publicKey: Uint8Array, id = authorId(publicKey)): string {
  let text = cache.get(id);
  if (text === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    text = encodeKeyText(publicKey);
    cache.set(id, text);
  }
  return text;
}
