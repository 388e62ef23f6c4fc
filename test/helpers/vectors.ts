import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const VECTOR_DIR = fileURLToPath(new URL('../../fixtures/vectors/', import.meta.url));

/** Loads one of the vendored third-party vector files from fixtures/vectors/. */
export function loadVectors<T>(fileName: string): T {
  return JSON.parse(readFileSync(VECTOR_DIR + fileName, 'utf8')) as T;
}

export const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'));
