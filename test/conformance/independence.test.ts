// The conformance client proves docs/protocol.md is enough only while it cannot see src/:
// every import in this folder is node:*, vitest (the test runner) or a sibling file.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const folder = new URL('./', import.meta.url);

describe('conformance client independence', () => {
  it('imports only node: modules, vitest and its own files', () => {
    const files = readdirSync(folder).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    let imports = 0;
    for (const file of files) {
      const source = readFileSync(new URL(file, folder), 'utf8');
      const statements = source.matchAll(/^\s*(?:import|export)\b[^;']*'([^']+)';/gm);
      const dynamic = source.matchAll(/\bimport\(\s*'([^']+)'/g);
      const specifiers = [...statements, ...dynamic].map((match) => match[1]!);
      imports += specifiers.length;
      for (const specifier of specifiers) expect(specifier, `${file} imports ${specifier}`).toMatch(/^(node:|vitest$|\.\/[a-z0-9-]+\.js$)/);
    }
    expect(imports).toBeGreaterThan(20); // the pattern does see the import statements
  });
});
