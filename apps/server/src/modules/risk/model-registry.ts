import { readFileSync } from 'node:fs';
import type { Clock } from '../../kernel/clock.ts';
import type { Queryable } from '../../platform/db.ts';
import { periodicRead } from '../../platform/periodic-read.ts';
import {
  compileModel,
  modelVersion,
  parseModel,
  serializeModel,
  type RiskModel,
  type Scorer,
} from './domain/risk-model.ts';

/** The model the API scores with, and its version. */
export interface ActiveModel {
  readonly version: string;
  readonly scorer: Scorer;
  /**
   * Promoted by an operator (`kassa risk promote`). The bundled model, trained on simulated
   * traffic only, is not: its decisions are recorded in shadow until someone promotes it.
   */
  readonly promoted: boolean;
}

/** Trained by `kassa risk train --seed 1` and committed; a test checks it is that model. */
export const bundledModelFile = new URL('./bundled-model.json', import.meta.url);

let bundled: ActiveModel | null | undefined;

/** The model shipped with this build (null when the file is absent). */
export function bundledModel(): ActiveModel | null {
  if (bundled !== undefined) return bundled;
  try {
    const text = readFileSync(bundledModelFile, 'utf8').trim();
    const model = parseModel(text);
    bundled = {
      version: modelVersion(serializeModel(model)),
      scorer: compileModel(model),
      promoted: false,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    bundled = null;
  }
  return bundled;
}

/** Stores a trained model (not yet live); returns its version. Storing twice is harmless. */
export async function storeModel(
  q: Queryable,
  model: RiskModel,
  metrics: unknown,
  now: Date,
): Promise<string> {
  const text = serializeModel(model);
  const version = modelVersion(text);
  await q.query(
    `insert into risk_models (version, kind, model, metrics, created_at)
     values ($1, $2, $3, $4::jsonb, $5) on conflict (version) do nothing`,
    [version, model.kind, text, JSON.stringify(metrics ?? null), now.toISOString()],
  );
  return version;
}

/** Makes a stored model the live one; false when no model has that version. */
export async function promoteModel(q: Queryable, version: string, now: Date): Promise<boolean> {
  const result = await q.query('update risk_models set promoted_at = $2 where version = $1', [
    version,
    now.toISOString(),
  ]);
  return (result.rowCount ?? 0) > 0;
}

/**
 * The live model: the newest promoted one in `risk_models`, else the bundled model. Re-read at
 * most every `refreshSeconds` (platform/periodic-read.ts), so a promotion reaches every API
 * process without a restart.
 */
export function createModelRegistry(deps: {
  db: Queryable;
  clock: Clock;
  refreshSeconds?: number;
  /** Told when re-reading the promotion fails (the model in hand stays live meanwhile). */
  onError?: (error: unknown) => void;
}) {
  const live = periodicRead<ActiveModel | null>({
    clock: deps.clock,
    everyMs: (deps.refreshSeconds ?? 30) * 1000,
    initial: bundledModel(),
    ...(deps.onError === undefined ? {} : { onError: deps.onError }),
    async read(active) {
      const { rows } = await deps.db.query<{ version: string; model: string }>(
        `select version, model from risk_models where promoted_at is not null
          order by promoted_at desc limit 1`,
      );
      const row = rows[0];
      if (row === undefined) return bundledModel();
      // The same model (the bundled one promoted, say): kept, now live (promoted).
      if (row.version === active?.version && active.promoted) return active;
      return { version: row.version, scorer: compileModel(parseModel(row.model)), promoted: true };
    },
  });
  return {
    current: (): Promise<ActiveModel | null> => live.current(),
    /** Whether the model in hand was promoted (no I/O: a failure path reads it). */
    promotedNow: (): boolean => live.peek()?.promoted === true,
  };
}

export type ModelRegistry = ReturnType<typeof createModelRegistry>;
