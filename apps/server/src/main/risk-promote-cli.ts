import { readFileSync } from 'node:fs';
import { bundledModelFile, parseModel, promoteModel, storeModel } from '../modules/risk/index.ts';
import type { Queryable } from '../platform/db.ts';
import { parseFlags, UsageError } from './risk-cli-flags.ts';

/**
 * `kassa risk promote --file FILE | --bundled | --version V`: stores a trained model (a file
 * from `risk train`, or the model bundled with this build) and makes it the live one; or makes
 * an already stored version live again (a rollback). Every API process picks it up within 30 s.
 * A model no operator promoted decides in shadow only (docs/fraud.md). Returns the exit code.
 */
export async function promoteCommand(
  args: readonly string[],
  db: Queryable,
  now: Date,
  say: (line: string) => void,
): Promise<number> {
  const flags = parseFlags(args, { file: 'value', bundled: 'switch', version: 'value' });
  const file = flags.get('file');
  const version = flags.get('version');
  const sources = [
    typeof file === 'string',
    flags.get('bundled') === true,
    typeof version === 'string',
  ];
  if (sources.filter(Boolean).length !== 1)
    throw new UsageError('risk promote needs exactly one of --file FILE, --bundled, --version V');
  let target: string;
  if (typeof version === 'string') target = version;
  else {
    const text = readFileSync(typeof file === 'string' ? file : bundledModelFile, 'utf8');
    target = await storeModel(db, parseModel(text.trim()), null, now);
  }
  if (!(await promoteModel(db, target, now))) {
    process.stderr.write(`kassa risk promote: no stored model has version ${target}\n`);
    return 1;
  }
  say(`promoted ${target}: the live risk model from now (each API process within 30 s)`);
  return 0;
}
