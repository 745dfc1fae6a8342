// A roster home whose embedded database is already made: initdb, the migrations and the queue's
// schema cost a few seconds of CPU, and the end-to-end tests make a new workspace dozens of times.
// The template is made once per version of the schema (a digest of the migrations and PGlite's
// version) and shared by every test process; each workspace gets its own copy.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const migrations = join(root, 'src/store/migrations');

function schemaVersion(): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(migrations).sort()) hash.update(file).update(readFileSync(join(migrations, file)));
  hash.update(readFileSync(join(root, 'node_modules/@electric-sql/pglite/package.json')));
  hash.update(readFileSync(join(root, 'node_modules/pg-boss/package.json')));
  hash.update(readFileSync(join(root, 'src/store/pglite.ts')));
  return hash.digest('hex').slice(0, 16);
}

let made: string | undefined;

/** The template home's folder, made when missing (safe when several test processes race to make it). */
export function embeddedTemplate(): string {
  if (made) return made;
  const cache = join(root, 'node_modules/.cache/roster-test');
  const template = join(cache, `home-${schemaVersion()}`);
  if (!existsSync(template)) {
    mkdirSync(cache, { recursive: true });
    const building = `${template}.${process.pid}.tmp`;
    rmSync(building, { recursive: true, force: true });
    execFileSync(process.execPath, [fileURLToPath(new URL('./make-embedded-home.ts', import.meta.url)), building], { stdio: ['ignore', 'ignore', 'inherit'] });
    try {
      renameSync(building, template);
    } catch (error) {
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(template)) throw error;
    }
  }
  made = template;
  return template;
}

/** Gives a workspace's home (`<dir>/.roster`) a copy of the template's database. */
export function seedEmbeddedHome(home: string): void {
  cpSync(embeddedTemplate(), home, { recursive: true });
}
