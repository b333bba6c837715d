/**
 * The module graph of src/ as the code states it (every relative import and re-export, `import
 * type` included): no cycles anywhere, and the core imports nothing outside src/core.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const SPECIFIER = /(?:^|\s)(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveImport(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier.replace(/\?.*$/, ''));
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

const graph = new Map<string, string[]>(
  sourceFiles(SRC).map((file) => {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(SPECIFIER)].map((m) => resolveImport(file, (m[1] ?? m[2])!)).filter((t): t is string => t !== null && /\.tsx?$/.test(t));
    return [file, targets];
  }),
);

function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'visiting') found.push([...stack.slice(stack.indexOf(next)), next].map((f) => relative(SRC, f)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('module graph', () => {
  it('reads the imports (sanity: the graph is not empty and sees type-only imports)', () => {
    const diagnostics = [...graph.keys()].find((f) => f.endsWith(join('timeline', 'diagnostics.ts')))!;
    expect(graph.get(diagnostics)!.map((f) => relative(SRC, f))).toContain(join('core', 'timeline', 'entries.ts'));
    expect(graph.size).toBeGreaterThan(50);
  });

  it('has no import cycles', () => {
    expect(cycles()).toEqual([]);
  });

  it('keeps the core self-contained: nothing in src/core imports from outside it', () => {
    const core = join(SRC, 'core');
    const outside = [...graph].flatMap(([file, targets]) => (file.startsWith(core) ? targets.filter((t) => !t.startsWith(core)).map((t) => `${relative(SRC, file)} → ${relative(SRC, t)}`) : []));
    expect(outside).toEqual([]);
  });
});
