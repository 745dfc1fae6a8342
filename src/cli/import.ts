import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import { recordAudit } from '../audit/trail.ts';
import { parsePeopleRecords } from '../sources/person-input.ts';
import { RosterError } from '../errors.ts';
import { upsertPeople } from '../store/people.ts';
import { actorFromEnvironment, withContext, type GlobalOptions } from './context.ts';

/** Reads people from a CSV (header row, SCIM-style column names) or JSON (an array, or {people: [...]}) file. */
export function readPeopleFile(path: string): ReturnType<typeof parsePeopleRecords> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new RosterError('input_invalid', `cannot read ${path}`);
  }
  const kind = extname(path).toLowerCase();
  if (kind === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new RosterError('input_invalid', `${path} is not valid JSON: ${(error as Error).message}`);
    }
    const records = Array.isArray(data) ? data : (data as { people?: unknown })?.people;
    if (!Array.isArray(records)) throw new RosterError('input_invalid', `${path}: expected an array of people or {"people": [...]}`);
    return parsePeopleRecords(records, 1);
  }
  if (kind === '.csv') {
    let records: Record<string, string>[];
    try {
      records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
    } catch (error) {
      throw new RosterError('input_invalid', `${path} is not valid CSV: ${(error as Error).message}`);
    }
    return parsePeopleRecords(records, 2);
  }
  throw new RosterError('input_invalid', `${path}: people files must end in .csv or .json`);
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import people from a CSV or JSON file (all or nothing: a bad row changes nothing)')
    .argument('[file]', 'people file; default: people.file in roster.yaml')
    .action(async (file: string | undefined, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      await withContext(globals, async ({ db, config }) => {
        const path = file ?? config.peopleFile;
        if (!path) throw new RosterError('input_invalid', 'name a people file (roster import people.csv) or set people.file in roster.yaml');
        const { people, problems } = readPeopleFile(path);
        if (problems.length > 0) {
          const shown = problems.slice(0, 5).join('; ');
          throw new RosterError('input_invalid', `${path} has ${problems.length} problem${problems.length > 1 ? 's' : ''}, nothing imported: ${shown}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
        }
        const result = await db.transaction(async (tx) => {
          const counts = await upsertPeople(tx, people, `file:${path}`);
          await recordAudit(tx, { actor: actorFromEnvironment(), action: 'people.imported', target: path, detail: { ...counts, total: people.length } });
          return counts;
        });
        console.log(`imported ${people.length} people from ${path} (${result.created} new, ${result.updated} updated)`);
      });
    });
}
