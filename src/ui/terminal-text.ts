/**
 * Text that came from a peer (chat bodies, names, file names) must never drive the
 * terminal: an ANSI escape could recolour, move the cursor, rewrite earlier lines or
 * set the window title. Every C0/C1 control character and DEL is shown as a visible
 * escape (\x1b, \n, \u009b) instead.
 */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function escapeTerminal(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (char) => {
    switch (char) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default: {
        const code = char.charCodeAt(0);
        return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
      }
    }
  });
}
