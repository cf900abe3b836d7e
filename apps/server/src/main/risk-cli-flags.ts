import { modelKinds, type ModelKind } from '../modules/risk/index.ts';

/** Bad command-line usage: exit code 2 with the help text. */
export class UsageError extends Error {}

export type Flags = ReadonlyMap<string, string | true>;

/** `--name value` and bare `--name` switches; anything else is a usage error. */
export function parseFlags(
  args: readonly string[],
  known: Record<string, 'value' | 'switch'>,
): Flags {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    const name = arg.startsWith('--') ? arg.slice(2) : null;
    const kind = name === null ? undefined : known[name];
    if (name === null || kind === undefined) throw new UsageError(`unknown argument "${arg}"`);
    if (kind === 'switch') flags.set(name, true);
    else {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
      i += 1;
    }
  }
  return flags;
}

export function integer(
  flags: Flags,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} ${String(raw)}: an integer from ${min} to ${max}`);
  return value;
}

export function modelKind(flags: Flags): ModelKind {
  const raw = flags.get('model') ?? 'gbdt';
  if (!modelKinds.includes(raw as ModelKind))
    throw new UsageError(`--model ${String(raw)}: gbdt or logistic`);
  return raw as ModelKind;
}

/** The simulated world of a seed, from --users and --days. */
export function world(flags: Flags, seed: number) {
  return {
    seed,
    users: integer(flags, 'users', 5_000, 20, 200_000),
    days: integer(flags, 'days', 35, 10, 120),
  };
}
