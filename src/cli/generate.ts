import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { generateOrganisation } from '../core/sample-org.ts';
import { RosterError } from '../errors.ts';

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('write a realistic sample organisation (departments, titles, managers, groups, a few leavers) as JSON or CSV')
    .option('--size <n>', 'number of people', '250')
    .option('--seed <n>', 'random seed (same seed, same people)', '1')
    .option('--domain <domain>', 'email domain', 'acme.example')
    .option('-o, --out <file>', 'output file (.json or .csv); default: JSON on stdout')
    .action((options: { size: string; seed: string; domain: string; out?: string }) => {
      const size = Number(options.size);
      const seed = Number(options.seed);
      if (!Number.isInteger(size) || size < 1 || size > 1_000_000) throw new RosterError('input_invalid', `--size must be a whole number from 1 to 1000000, not ${options.size}`);
      if (!Number.isInteger(seed)) throw new RosterError('input_invalid', `--seed must be a whole number, not ${options.seed}`);
      const people = generateOrganisation({ size, seed, domain: options.domain });
      const text = options.out?.endsWith('.csv') ? toCsv(people) : `${JSON.stringify(people, null, 2)}\n`;
      if (options.out) {
        writeFileSync(options.out, text);
        console.log(`wrote ${people.length} people to ${options.out}`);
      } else process.stdout.write(text);
    });
}

const columns = ['id', 'externalId', 'userName', 'givenName', 'familyName', 'displayName', 'email', 'active', 'department', 'title', 'managerId', 'groups'] as const;

function toCsv(people: ReturnType<typeof generateOrganisation>): string {
  const cell = (value: unknown) => {
    const text = Array.isArray(value) ? value.join(';') : value === undefined ? '' : String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(','), ...people.map((p) => columns.map((c) => cell(p[c])).join(','))].join('\n') + '\n';
}
