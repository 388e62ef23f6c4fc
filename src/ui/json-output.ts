/**
 * `--json` output: exactly one JSON object per line on stdout. JSON.stringify
 * already escapes C0 controls; C1 controls, DEL and bidi overrides (which can
 * reorder or hide text on a terminal that shows the raw line) are escaped too.
 * The result is still valid JSON with the same value.
 */
const UNSAFE_IN_TERMINAL = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function toJsonLine(value: object): string {
  return JSON.stringify(value).replace(UNSAFE_IN_TERMINAL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function printJsonLine(value: object): void {
  process.stdout.write(`${toJsonLine(value)}\n`);
}
