import { readFileSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import { recordAudit } from '../audit/trail.ts';
import { parsePeopleRecords, type ParsedPeople } from '../sources/person-input.ts';
import { RosterError } from '../errors.ts';
import { upsertPeople, userNameClashes } from '../store/people.ts';
import { withContext, type GlobalOptions } from './context.ts';
import { requireIdentity } from './identity.ts';

/** Largest people file roster reads: room for a few hundred thousand people. */
export const maxPeopleFileBytes = 64 * 1024 * 1024;

const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;

/**
 * The text of a people file. UTF-8 (with or without a byte-order mark) and UTF-16 with its
 * byte-order mark are read; anything else is refused rather than guessed at, because a wrong
 * guess silently changes people's names.
 */
export function decodePeopleText(bytes: Uint8Array, label: string): string {
  const starts = (...prefix: number[]) => prefix.every((byte, i) => bytes[i] === byte);
  if (starts(0xff, 0xfe, 0x00, 0x00) || starts(0x00, 0x00, 0xfe, 0xff)) {
    throw new RosterError('input_invalid', `${label} is UTF-32 text; save it as UTF-8 and import again`);
  }
  const utf16 = starts(0xff, 0xfe) ? 'utf-16le' : starts(0xfe, 0xff) ? 'utf-16be' : undefined;
  if (utf16) {
    try {
      return new TextDecoder(utf16, { fatal: true }).decode(bytes);
    } catch {
      throw new RosterError('input_invalid', `${label} starts as UTF-16 but is not valid UTF-16; save it as UTF-8 and import again`);
    }
  }
  if (bytes.includes(0)) {
    throw new RosterError('input_invalid', `${label} holds NUL bytes: it is UTF-16 without a byte-order mark, or not a text file; save it as UTF-8 and import again`);
  }
  if (!isUtf8(bytes)) {
    const { line, byte } = firstNonUtf8(bytes);
    throw new RosterError(
      'input_invalid',
      `${label} is not UTF-8: line ${line} has the byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')} (Latin-1 or Windows-1252 text?); save it as UTF-8 (Excel: "CSV UTF-8") and import again`,
    );
  }
  // TextDecoder drops a leading byte-order mark, so JSON.parse and the CSV header never see it.
  return new TextDecoder('utf-8').decode(bytes);
}

/** The line (from 1) and value of the first byte that breaks UTF-8. */
function firstNonUtf8(bytes: Uint8Array): { line: number; byte: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i += 1) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    const text = bytes.subarray(start, i);
    if (!isUtf8(text)) {
      const decoded = new TextDecoder('utf-8').decode(text);
      const offset = Buffer.byteLength(decoded.slice(0, Math.max(0, decoded.indexOf('\ufffd'))));
      return { line, byte: text[offset] ?? 0 };
    }
    line += 1;
    start = i + 1;
  }
  return { line, byte: 0 };
}

/** Reads people from a CSV (header row, SCIM-style column names) or JSON (an array, or {people: [...]}) file. */
export function readPeopleFile(path: string): ParsedPeople {
  const kind = extname(path).toLowerCase();
  if (kind !== '.json' && kind !== '.csv') throw new RosterError('input_invalid', `${path}: people files must end in .csv or .json`);
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > maxPeopleFileBytes) {
      throw new RosterError('input_invalid', `${path} is ${megabytes(size)}, more than the ${megabytes(maxPeopleFileBytes)} roster reads; nothing imported`);
    }
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof RosterError) throw error;
    throw new RosterError('input_invalid', `cannot read ${path}`);
  }
  const text = decodePeopleText(bytes, path);
  let parsed: ParsedPeople;
  if (kind === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new RosterError('input_invalid', `${path} is not valid JSON: ${(error as Error).message.split('\n')[0]?.slice(0, 200)}`);
    }
    const records = Array.isArray(data) ? data : (data as { people?: unknown })?.people;
    if (!Array.isArray(records)) throw new RosterError('input_invalid', `${path}: expected an array of people or {"people": [...]}`);
    parsed = parsePeopleRecords(records, 1);
  } else {
    let records: Record<string, string>[];
    try {
      records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true });
    } catch (error) {
      throw new RosterError('input_invalid', `${path} is not valid CSV: ${(error as Error).message.split('\n')[0]?.slice(0, 200)}`);
    }
    parsed = parsePeopleRecords(records, 2);
  }
  if (parsed.people.length === 0 && parsed.problems.length === 0) {
    throw new RosterError('input_invalid', `${path} holds no people (expected ${kind === '.csv' ? 'a header row, then one row per person' : 'one object per person'}); nothing imported`);
  }
  return parsed;
}

function refusal(path: string, problems: readonly string[]): RosterError {
  const shown = problems.slice(0, 5).join('; ');
  const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
  return new RosterError('input_invalid', `${path} has ${problems.length} problem${problems.length > 1 ? 's' : ''}, nothing imported: ${shown}${more}`);
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import people from a CSV or JSON file (all or nothing: a bad row changes nothing)')
    .argument('[file]', 'people file; default: people.file in roster.yaml')
    .action(async (file: string | undefined, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await withContext(globals, async ({ db, config, home }) => {
        const fileSources = config.sources.filter((s) => s.type === 'csv' || s.type === 'json');
        if (!file && !config.peopleFile && fileSources.length > 1) throw new RosterError('input_invalid', `roster.yaml names ${fileSources.length} file sources (${fileSources.map((s) => s.name).join(', ')}); name the file to import`);
        const named = fileSources[0];
        const path = file ?? config.peopleFile ?? (named && 'file' in named ? named.file : undefined);
        if (!path) throw new RosterError('input_invalid', 'name a people file (roster import people.csv), or set people.file or a csv/json source in roster.yaml');
        const { people, rows, problems } = readPeopleFile(path);
        if (problems.length > 0) throw refusal(path, problems);
        const identity = await requireIdentity({ db, home }, 'plan');
        const rowOf = new Map(people.map((person, index) => [person.id, rows[index]]));
        const result = await db.transaction(async (tx) => {
          const clashes = await userNameClashes(tx, people);
          if (clashes.length > 0) {
            throw refusal(
              path,
              clashes.map((c) => `row ${rowOf.get(c.personId)}: userName ${c.userName} belongs to person ${c.heldBy} in roster already (this row's id is ${c.personId})`),
            );
          }
          const counts = await upsertPeople(tx, people, `file:${path}`).catch((error: unknown) => {
            // What the check above cannot see: another import in between, or letters lowercased differently.
            const { code, detail } = error as { code?: string; detail?: string };
            if (code === '23505') throw new RosterError('input_invalid', `${path}: a userName in it belongs to another person in roster (${detail ?? 'duplicate userName'}); nothing imported`);
            throw error;
          });
          await recordAudit(tx, { actor: identity.actor, action: 'people.imported', target: path, detail: { ...counts, total: people.length } });
          return counts;
        });
        console.log(`imported ${people.length} people from ${path} (${result.created} new, ${result.updated} updated)`);
      });
    });
}
