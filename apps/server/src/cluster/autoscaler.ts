import type { ClusterSettings } from '../config/config.ts';
import { decideScaling, p99FromBuckets, type ScalingSample } from './domain/scaling-decision.ts';

/**
 * The elastic API tier: every 5 s reads each API process's /metrics (event-loop utilisation and
 * the request-duration histogram), and asks `decideScaling` whether to add or remove one.
 */
export interface Autoscaler {
  stop(): void;
}

const sampleEveryMs = 5_000;

export function createAutoscaler(deps: {
  settings: ClusterSettings;
  operatorKey: string;
  slots: () => readonly { slot: number; port: number }[];
  /** True while a process is starting or draining: no decision then. */
  busy: () => boolean;
  scaleUp: () => Promise<void>;
  scaleDown: () => Promise<void>;
  say: (line: string) => void;
}): Autoscaler {
  const policy = {
    min: deps.settings.apiMin,
    max: deps.settings.apiMax,
    upEventLoopUtilization: deps.settings.scaleUpEventLoopUtilization,
    upP99Ms: deps.settings.scaleUpP99Ms,
    downEventLoopUtilization: deps.settings.scaleDownEventLoopUtilization,
    windowMs: deps.settings.scaleAfterSeconds * 1_000,
  };
  let samples: ScalingSample[] = [];
  let previous = new Map<number, Map<number, number>>();
  let acting = false;

  async function tick(): Promise<void> {
    if (acting || deps.busy()) return;
    const slots = deps.slots();
    const scrapes = await Promise.all(slots.map((s) => scrape(s.port, deps.operatorKey)));
    const buckets = new Map<number, Map<number, number>>();
    let busiest = 0;
    const merged = { before: new Map<number, number>(), after: new Map<number, number>() };
    slots.forEach((s, i) => {
      const scraped = scrapes[i];
      if (scraped === null || scraped === undefined) return;
      busiest = Math.max(busiest, scraped.eventLoopUtilization);
      buckets.set(s.slot, scraped.buckets);
      const before = previous.get(s.slot);
      if (before === undefined) return;
      for (const [le, count] of scraped.buckets) {
        merged.after.set(le, (merged.after.get(le) ?? 0) + count);
        merged.before.set(le, (merged.before.get(le) ?? 0) + (before.get(le) ?? 0));
      }
    });
    previous = buckets;
    const now = performance.now();
    samples.push({
      atMs: now,
      eventLoopUtilization: busiest,
      p99Ms: p99FromBuckets(merged.before, merged.after),
    });
    samples = samples.filter((s) => now - s.atMs <= policy.windowMs + sampleEveryMs);
    const decision = decideScaling(policy, slots.length, samples, now);
    if (decision === 'hold') return;
    acting = true;
    try {
      deps.say(
        `scaling ${decision}: ${slots.length} → ${slots.length + (decision === 'up' ? 1 : -1)} API processes (event loop ${(busiest * 100).toFixed(0)}%, p99 ${samples.at(-1)?.p99Ms ?? '-'} ms)`,
      );
      await (decision === 'up' ? deps.scaleUp() : deps.scaleDown());
    } catch (error) {
      deps.say(`scaling ${decision} failed: ${String(error)}`);
    } finally {
      samples = [];
      previous = new Map();
      acting = false;
    }
  }

  const timer = setInterval(() => void tick(), sampleEveryMs);
  return {
    stop: () => clearInterval(timer),
  };
}

async function scrape(
  port: number,
  operatorKey: string,
): Promise<{ eventLoopUtilization: number; buckets: Map<number, number> } | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { authorization: `Bearer ${operatorKey}` },
      signal: AbortSignal.timeout(2_000),
    });
    if (!res.ok) return null;
    const text = await res.text();
    const elu = /^kassa_event_loop_utilization_ratio (\S+)$/m.exec(text);
    const buckets = new Map<number, number>();
    for (const match of text.matchAll(
      /^kassa_http_request_duration_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)$/gm,
    )) {
      const le = match[1] === '+Inf' ? Infinity : Number(match[1]);
      buckets.set(le, (buckets.get(le) ?? 0) + Number(match[2]));
    }
    return { eventLoopUtilization: Number(elu?.[1] ?? 0), buckets };
  } catch {
    return null;
  }
}
