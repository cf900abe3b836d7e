import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { Queryable } from '../../platform/db.ts';

/** The chain's head at a moment, kept outside the database. */
export interface JournalAnchor {
  readonly position: string;
  /** SHA-256 of the link, hex. */
  readonly hash: string;
  readonly at: string;
}

/** The last link of the hash chain, or null before anything is sealed. */
export async function journalHead(q: Queryable): Promise<Omit<JournalAnchor, 'at'> | null> {
  const rows = await q.query<{ position: string; hash: Buffer }>(
    // `s.position`, qualified: a bare `position` would sort the text output ('9' after '10').
    `select s.position::text as position, s.hash
       from journal_seals s order by s.position desc limit 1`,
  );
  const head = rows.rows[0];
  return head === undefined ? null : { position: head.position, hash: head.hash.toString('hex') };
}

/**
 * Appends an anchor to a JSON-lines file and flushes it to disk. The file belongs on storage the
 * database's operators cannot rewrite (another host, a WORM bucket sync): someone able to rewrite
 * both the journal and its seals consistently still cannot change a hash recorded here.
 */
export function appendAnchor(file: string, anchor: JournalAnchor): void {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(anchor)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The anchors in a file (none when it does not exist); a malformed line is an error, not skipped. */
export function readAnchors(file: string): JournalAnchor[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const parsed = JSON.parse(line) as Partial<JournalAnchor>;
      if (
        typeof parsed.position !== 'string' ||
        !/^[0-9]+$/.test(parsed.position) ||
        typeof parsed.hash !== 'string' ||
        !/^[0-9a-f]{64}$/.test(parsed.hash)
      )
        throw new Error(`${file}:${i + 1}: not an anchor: ${line.slice(0, 120)}`);
      return { position: parsed.position, hash: parsed.hash, at: String(parsed.at ?? '') };
    });
}
