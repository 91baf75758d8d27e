/**
 * The floors of src/floors.ts hold: every relative import of every module under src/ goes to its own room or
 * down, and the imports form no circle. Found by reading the sources (TypeScript's own parser), so a new
 * file is checked the day it is written.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { FLOORS } from '../src/floors';

const SRC = path.join(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The relative imports (and re-exports) of a file, resolved to files under src/. */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const out: string[] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
        ? statement.moduleSpecifier.text
        : undefined;
    if (specifier?.startsWith('.')) out.push(`${path.resolve(path.dirname(file), specifier)}.ts`);
  }
  return out;
}

/** A file's room: its top-level folder under src/, or its own name for a top-level file. */
function roomOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0] ?? '';
}

function floorOf(room: string): number {
  return FLOORS.findIndex((floor) => floor.rooms.includes(room));
}

type Graph = ReadonlyMap<string, readonly string[]>;

/** Imports that leave their room for the same floor or a higher one. */
function upward(graph: Graph): string[] {
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    for (const target of imports) {
      const from = roomOf(file);
      const to = roomOf(target);
      if (from !== to && floorOf(to) >= floorOf(from))
        wrong.push(`${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`);
    }
  }
  return wrong;
}

/** Circles of imports, each as the files around it. */
function circles(graph: Graph): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const found: string[] = [];
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      found.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  return found;
}

const files = sourceFiles(SRC);
const graph: Graph = new Map(files.map((file) => [file, importsOf(file)]));

it('should place every room of src/ on a floor', () => {
  const rooms = [...new Set(files.map(roomOf))];
  expect(rooms.filter((room) => floorOf(room) < 0)).toEqual([]);
  expect(files.length).toBeGreaterThan(50);
});

it('should import only from the same room or a lower floor', () => {
  expect(upward(graph)).toEqual([]);
});

it('should have no circle of imports', () => {
  expect(circles(graph)).toEqual([]);
});

it('should find an import up a floor, sideways on a floor, and a circle', () => {
  const at = (name: string) => path.join(SRC, name);
  const made: Graph = new Map([
    [at('core/bitset.ts'), [at('query/login-index.ts')]],
    [at('query/login-index.ts'), [at('job/run-once.ts'), at('query/index/scan.ts')]],
    [at('query/index/scan.ts'), [at('query/login-index.ts')]],
  ]);
  expect(upward(made)).toEqual([
    'core/bitset.ts -> query/login-index.ts',
    'query/login-index.ts -> job/run-once.ts',
  ]);
  expect(circles(made)).toEqual(['query/login-index.ts -> query/index/scan.ts -> query/login-index.ts']);
});

it('should call MongoDB only from db/: elsewhere the driver is imported for types only', () => {
  const driverCall =
    /\.(insertOne|insertMany|updateOne|updateMany|deleteOne|deleteMany|replaceOne|findOne|findOneAndUpdate|countDocuments|estimatedDocumentCount|aggregate|bulkWrite|createIndex|listIndexes|toArray|command)\(/;
  const outside = files.filter((file) => roomOf(file) !== 'db');
  const offenders = outside.filter((file) => {
    const text = readFileSync(file, 'utf8');
    return /^import (?!type )[^;]*from 'mongodb'/m.test(text) || driverCall.test(text);
  });
  expect(offenders.map((f) => path.relative(SRC, f))).toEqual([]);
});
