/**
 * cli-progress (with string-width and its tables) is loaded on the first bar drawn, not at
 * start-up: `--json` runs and commands without a bar never pay for loading it.
 */
import { createRequire } from 'node:module';
import type { SingleBar as SingleBarClass } from 'cli-progress';

const require = createRequire(import.meta.url);

export type SingleBar = SingleBarClass;

export function createSingleBar(...args: ConstructorParameters<typeof SingleBarClass>): SingleBarClass {
  const { SingleBar } = require('cli-progress') as typeof import('cli-progress');
  return new SingleBar(...args);
}
