/**
 * Regenerates the catalogue table of docs/api-errors.md from packages/contracts/src/errors.ts
 * (`npx tsx scripts/api-errors-doc.ts`); a test fails when the two drift apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCatalogue } from '../packages/contracts/src/errors.ts';

export const apiErrorsDoc = join(import.meta.dirname, '..', 'docs', 'api-errors.md');
const header = '| code | HTTP | type | money_moved | retryable | next_action | message |';

export function renderCatalogue(): string {
  const rows = Object.entries(errorCatalogue).map(
    ([code, e]) =>
      `| \`${code}\` | ${e.httpStatus} | ${e.type} | ${e.moneyMoved === null ? 'null (unknown)' : 'false'} | ${e.retryable} | ${e.nextAction} | ${e.message} |`,
  );
  return [header, '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

/** The document with its table replaced by the current catalogue. */
export function renderedDoc(current: string): string {
  const start = current.indexOf(header);
  const rest = current.slice(start).split('\n');
  const end = rest.findIndex((line) => !line.startsWith('|'));
  const after = end === -1 ? '' : rest.slice(end).join('\n');
  return `${current.slice(0, start)}${renderCatalogue()}\n${after}`;
}

if (process.argv[1] === import.meta.filename) {
  writeFileSync(apiErrorsDoc, renderedDoc(readFileSync(apiErrorsDoc, 'utf8')));
}
