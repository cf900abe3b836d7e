import { setTimeout as sleep } from 'node:timers/promises';
import { readTopology } from '../cluster/index.ts';
import { checkBank, type BankCheck } from './bank-checker.ts';
import { clusterHealthy, type Fault } from './faults.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';
import { resolveUnknowns, runLoad, type Bank } from './workload.ts';

/**
 * One fault under load, then the bank check: what the battery reports per fault.
 */
export interface FaultReport {
  readonly fault: Fault;
  readonly attempts: number;
  readonly ok: number;
  /** Answers the fault caused: no answer, 5xx, 429, a key still in progress (not declines). */
  readonly clientErrors: number;
  /** Refused on their merits (insufficient funds, limits): not errors. */
  readonly declined: number;
  readonly unknownAtFirst: number;
  /** Longest time without a successful payment, from the fault on (seconds). */
  readonly writeGapSeconds: number;
  /** After the fault ended: until payments went at ≥ 90% of the rate before it (seconds). */
  readonly throughputBackSeconds: number | null;
  /** 429/503 answers, and those of them with Retry-After and money_moved: false. */
  readonly shed: number;
  readonly shedProperly: number;
  /** From the fault until the whole topology was healthy again (seconds). */
  readonly recoverySeconds: number;
  readonly webhooks: {
    readonly missing: number;
    readonly repeated: number;
    /** Longest wait from a payment's answer to its first webhook (seconds). */
    readonly latestSeconds: number;
  } | null;
  /** Top-ups per phase of the fault (fault 6 runs them), as clients saw them. */
  readonly topups: readonly TopupPhase[];
  readonly check: BankCheck;
}

export interface TopupPhase {
  readonly phase: string;
  readonly attempted: number;
  /** Charged and credited at the first answer. */
  readonly okAtOnce: number;
  /** Refused at once with 503 processor_unavailable (breaker open: nothing charged). */
  readonly refused: number;
  /** 202 outcome_unknown (or no answer) at first… */
  readonly unknownAtFirst: number;
  /** …and how many top-ups succeeded once every unknown was resolved. */
  readonly okInTheEnd: number;
}

export async function runFault(options: {
  bank: Bank;
  fault: Fault;
  dir: string;
  concurrency: number;
  /** Load before the fault, and after the cluster is healthy again (seconds). */
  steadySeconds: number;
  receiver: WebhookReceiver | null;
  /** How long fault 7 keeps its transaction open. */
  holdSeconds: number;
  say: (line: string) => void;
}): Promise<FaultReport> {
  const { bank, fault, dir, say } = options;
  const topology = readTopology(dir);
  if (topology === null) throw new Error(`no cluster in ${dir}`);
  await waitHealthy(dir, 'before the fault');
  const first = bank.attempts.length;
  const stop = new AbortController();
  const load = runLoad(bank, options.concurrency, stop.signal);
  await sleep(options.steadySeconds * 1_000);
  say(`fault ${fault.number}: ${fault.name}`);
  const faultAt = performance.now();
  const phases: { phase: string; at: number }[] = [];
  const killed = await fault.inject({
    dir,
    bank,
    concurrency: options.concurrency,
    holdSeconds: options.holdSeconds,
    mark: (phase) => phases.push({ phase, at: performance.now() }),
  });
  const faultOver = performance.now();
  await waitHealthy(dir, 'after the fault', killed);
  const recoverySeconds = (performance.now() - faultAt) / 1_000;
  await sleep(options.steadySeconds * 1_000);
  stop.abort();
  await load;
  const all = bank.attempts.slice(first);
  // Payments between people and to the merchant: what must go on whatever the fault.
  const mine = all.filter((a) => a.kind !== 'topup');
  const unknownAtFirst = mine.filter((a) => a.firstOutcome === 'unknown').length;
  say(`  ${mine.length} payments; resolving ${unknownAtFirst} unknown outcomes with their keys…`);
  await resolveUnknowns(bank);
  const topups = phases.map(({ phase, at }, i) => {
    const until = phases[i + 1]?.at ?? faultOver;
    const inPhase = all.filter(
      (a) => a.kind === 'topup' && a.startedAt >= at && a.startedAt < until,
    );
    return {
      phase,
      attempted: inPhase.length,
      okAtOnce: inPhase.filter((a) => a.firstOutcome === 'ok').length,
      refused: inPhase.filter((a) => a.firstOutcome === 'failed' && a.status === 503).length,
      unknownAtFirst: inPhase.filter((a) => a.firstOutcome === 'unknown').length,
      okInTheEnd: inPhase.filter((a) => a.outcome === 'ok').length,
    };
  });
  const webhooks = options.receiver === null ? null : await webhookCount(options.receiver, mine);
  const check = await checkBank(bank, topology.databaseUrl);
  return {
    fault,
    attempts: mine.length,
    ok: mine.filter((a) => a.outcome === 'ok').length,
    clientErrors: mine.filter(
      (a) => a.firstOutcome === 'unknown' || a.status === 0 || a.status >= 500 || a.status === 429,
    ).length,
    declined: mine.filter(
      (a) => a.outcome === 'failed' && a.status >= 400 && a.status < 500 && a.status !== 429,
    ).length,
    unknownAtFirst,
    writeGapSeconds: writeGap(mine, faultAt),
    throughputBackSeconds: throughputBack(mine, faultAt, faultOver),
    shed: mine.filter((a) => a.status === 503 || a.status === 429).length,
    shedProperly: mine.filter((a) => a.shedProperly).length,
    recoverySeconds,
    webhooks,
    topups,
    check,
  };
}

async function waitHealthy(dir: string, when: string, killed: readonly number[] = []) {
  const deadline = performance.now() + 180_000;
  while (!(await clusterHealthy(dir, killed))) {
    if (performance.now() > deadline) throw new Error(`the cluster was not healthy ${when}`);
    await sleep(200);
  }
}

/** Seconds after `over` until a 1-s window of ok payments reaches 90% of the rate before `from`. */
function throughputBack(attempts: Bank['attempts'], from: number, over: number): number | null {
  const oks = attempts.filter((a) => a.firstOutcome === 'ok').map((a) => a.endedAt);
  const start = attempts[0]?.startedAt ?? from;
  const before = oks.filter((t) => t < from).length / Math.max((from - start) / 1_000, 1);
  const last = Math.max(...oks, over);
  for (let t = over; t + 1_000 <= last; t += 250) {
    const rate = oks.filter((e) => e >= t && e < t + 1_000).length;
    if (rate >= before * 0.9) return (t - over) / 1_000;
  }
  return null;
}

/** Longest stretch after `from` with no payment answered ok at once. */
function writeGap(attempts: Bank['attempts'], from: number): number {
  const ends = attempts
    .filter((a) => a.firstOutcome === 'ok' && a.endedAt >= from)
    .map((a) => a.endedAt)
    .sort((a, b) => a - b);
  let gap = 0;
  let previous = from;
  for (const end of ends) {
    gap = Math.max(gap, end - previous);
    previous = end;
  }
  return gap / 1_000;
}

/** Waits (up to 2 minutes) for a webhook per merchant payment; counts missing and repeated. */
async function webhookCount(receiver: WebhookReceiver, attempts: Bank['attempts']) {
  const paid = attempts.filter((a) => a.kind === 'payment' && a.outcome === 'ok');
  const deadline = performance.now() + 120_000;
  const missing = () => paid.filter((a) => (receiver.deliveries.get(a.id ?? '') ?? 0) === 0);
  while (missing().length > 0 && performance.now() < deadline) await sleep(250);
  const waits = paid.map(
    (a) => (receiver.firstDeliveredAt.get(a.id ?? '') ?? a.endedAt) - a.endedAt,
  );
  return {
    latestSeconds: Math.max(0, ...waits) / 1_000,
    missing: missing().length,
    repeated: paid.reduce(
      (n, a) => n + Math.max(0, (receiver.deliveries.get(a.id ?? '') ?? 0) - 1),
      0,
    ),
  };
}

/** Fault 6's top-ups, phase by phase. */
export function topupTable(reports: readonly FaultReport[]): string[] {
  const rows = reports.flatMap((r) =>
    r.topups.map(
      (p) =>
        `| ${r.fault.number}. ${p.phase} | ${p.attempted} | ${p.okAtOnce} (${percent(p.okAtOnce, p.attempted)}) | ${p.refused} | ${p.unknownAtFirst} | ${p.okInTheEnd} (${percent(p.okInTheEnd, p.attempted)}) |`,
    ),
  );
  if (rows.length === 0) return [];
  return [
    '| phase | top-ups (good card) | succeeded at once | refused, breaker open (nothing charged) | outcome unknown at first | succeeded in the end |',
    '|---|---|---|---|---|---|',
    ...rows,
  ];
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(0)}%`;
}

export function reportTable(reports: readonly FaultReport[]): string[] {
  const lines = [
    '| fault | payments | ok | declined | shed (with Retry-After, nothing moved) | client errors (unknown at first) | lost | duplicated | write gap s | recovered in s | throughput back in s | webhooks missing / repeated / slowest s | bank check |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of reports)
    lines.push(
      `| ${r.fault.number}. ${r.fault.name} | ${r.attempts} | ${r.ok} | ${r.declined} | ${r.shed} (${r.shedProperly}) | ${r.clientErrors} (${r.unknownAtFirst}) | ${r.check.lost} | ${r.check.duplicated} | ${r.writeGapSeconds.toFixed(1)} | ${r.recoverySeconds.toFixed(1)} | ${r.throughputBackSeconds === null ? '-' : r.throughputBackSeconds.toFixed(1)} | ${r.webhooks === null ? '-' : `${r.webhooks.missing} / ${r.webhooks.repeated} / ${r.webhooks.latestSeconds.toFixed(1)}`} | ${r.check.passed ? 'passed' : 'FAILED'} |`,
    );
  return lines;
}
