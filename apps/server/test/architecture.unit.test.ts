import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { it } from 'node:test';

/**
 * The layer rules of shared/ARCHITECTURE.md §12, checked on the source so they stay true:
 * no import cycle between files; `kernel/` imports nothing of ours but itself; `domain/` code
 * imports only the kernel, its own module's domain and the shared contracts (no adapter, no I/O);
 * modules never import the HTTP layer and reach each other only through `index.ts`; `platform/`
 * knows no module.
 */
const src = join(import.meta.dirname, '..', 'src');

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Every `import … from '…'` and `export … from '…'` of a file, type-only ones included. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map((m) => m[1]!);
}

const files = sourceFiles(src);
const graph = new Map(
  files.map((file) => [
    file,
    specifiers(file)
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(dirname(file), s)),
  ]),
);
const name = (file: string) => relative(src, file);

it('the server source has no import cycle', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.push([...path.slice(path.indexOf(file)), file].map(name).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  assert.ok(graph.size > 100, `read ${graph.size} files`);
  assert.deepEqual(cycles, []);
});

it('kernel/ imports nothing of ours but itself', () => {
  const kernel = join(src, 'kernel');
  const outside = files
    .filter((f) => f.startsWith(kernel))
    .flatMap((f) =>
      (graph.get(f) ?? [])
        .filter((t) => !t.startsWith(kernel))
        .map((t) => `${name(f)} → ${name(t)}`),
    );
  assert.deepEqual(outside, []);
});

it('domain/ code imports only the kernel, its own domain, the contracts and pure builtins', () => {
  const kernel = join(src, 'kernel');
  const bad: string[] = [];
  for (const file of files.filter((f) => f.includes('/domain/'))) {
    const own = file.slice(0, file.indexOf('/domain/') + '/domain/'.length);
    for (const spec of specifiers(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(own) && !target.startsWith(kernel))
          bad.push(`${name(file)} → ${name(target)}`);
      } else if (!['@kassa/contracts', 'node:crypto', 'node:net'].includes(spec)) {
        bad.push(`${name(file)} → ${spec}`);
      }
    }
  }
  assert.deepEqual(bad, []);
});

const inside = (dir: string) => (file: string) => file.startsWith(join(src, dir) + '/');

it('modules/ never import http/, and platform/ and kernel/ never import a module', () => {
  const bad = files
    .filter((f) => inside('modules')(f) || inside('platform')(f) || inside('kernel')(f))
    .flatMap((f) =>
      (graph.get(f) ?? [])
        .filter((t) => inside('http')(t) || (!inside('modules')(f) && inside('modules')(t)))
        .map((t) => `${name(f)} → ${name(t)}`),
    );
  assert.deepEqual(bad, []);
});

it('a module is reached from outside only through its index.ts', () => {
  const moduleOf = (file: string) =>
    inside('modules')(file) ? relative(join(src, 'modules'), file).split('/')[0] : null;
  const bad = files.flatMap((f) =>
    (graph.get(f) ?? [])
      .filter((t) => {
        const target = moduleOf(t);
        return target !== null && target !== moduleOf(f) && !t.endsWith(`/${target}/index.ts`);
      })
      .map((t) => `${name(f)} → ${name(t)}`),
  );
  assert.deepEqual(bad, []);
});

it('no SQL string crosses a module index: modules offer functions that add their rows', () => {
  const bad = files
    .filter((f) => inside('modules')(f) && f.endsWith('/index.ts'))
    .flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/\b(\w+Sql)\b/g)].map((m) => `${name(f)}: ${m[1]}`),
    );
  assert.deepEqual(bad, []);
});
