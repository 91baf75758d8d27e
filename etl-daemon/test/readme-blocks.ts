/**
 * The README's generated blocks: the configuration table from VARIABLES (what --help prints) and the floors
 * of etl-daemon/src from src/floors.ts (which test/architecture.floors.test.ts checks against every import).
 * `npm run readme` writes them between their markers and formats the README; test/readme.test.ts fails when
 * the README differs from them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VARIABLES } from '../src/config/config';
import { FLOORS } from '../src/floors';

export const README = path.resolve(__dirname, '../../README.md');

const code = (text: string) => (text === '' ? 'unset' : `\`${text.replace(/\|/g, '\\|')}\``);

/** The configuration table's rows: variable, default, meaning. */
export function configRows(): string[][] {
  return VARIABLES.map((v) => [`\`${v.name}\``, code(v.default), v.description.replace(/\|/g, '\\|')]);
}

function configTable(): string {
  const lines = [['variable', 'default', 'meaning'], ['---', '---', '---'], ...configRows()];
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The floors of etl-daemon/src, top floor first, as a picture of the building. */
export function floorsBlock(): string {
  const rows = FLOORS.map((floor, i) => ({
    n: i,
    rooms: floor.rooms.map((r) => (r.endsWith('.ts') ? r : `${r}/`)).join(' '),
    holds: floor.holds,
  })).reverse();
  const width = Math.max(...rows.map((r) => r.rooms.length));
  return ['```text', ...rows.map((r) => `${r.n}  ${r.rooms.padEnd(width)}  ${r.holds}`), '```'].join('\n');
}

const BLOCKS: Record<string, () => string> = { configuration: configTable, floors: floorsBlock };

/** The text between `<!-- generated: name -->` and `<!-- /generated: name -->`. */
export function blockOf(readme: string, name: string): string | undefined {
  const open = `<!-- generated: ${name} -->`;
  const start = readme.indexOf(open);
  const end = readme.indexOf(`<!-- /generated: ${name} -->`);
  return start < 0 || end < start ? undefined : readme.slice(start + open.length, end).trim();
}

function main(): void {
  let readme = readFileSync(README, 'utf8');
  for (const [name, render] of Object.entries(BLOCKS)) {
    const open = `<!-- generated: ${name} -->`;
    const close = `<!-- /generated: ${name} -->`;
    const start = readme.indexOf(open);
    const end = readme.indexOf(close);
    if (start < 0 || end < start) throw new Error(`README.md has no ${open} … ${close} block`);
    readme = `${readme.slice(0, start + open.length)}\n\n${render()}\n\n${readme.slice(end)}`;
  }
  writeFileSync(README, readme);
  execFileSync('npx', ['prettier', '--write', README], { stdio: 'inherit' });
}

if (require.main === module) main();
