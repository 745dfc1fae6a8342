// The dashboard's two static files: its stylesheet and htmx (from node_modules), read once.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let files: Map<string, { body: string; type: string }> | undefined;

export function staticFile(name: string): { body: string; type: string } | undefined {
  files ??= new Map([
    ['roster.css', { body: readFileSync(new URL('./roster.css', import.meta.url), 'utf8'), type: 'text/css; charset=utf-8' }],
    ['htmx.min.js', { body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8'), type: 'text/javascript; charset=utf-8' }],
  ]);
  return files.get(name);
}
