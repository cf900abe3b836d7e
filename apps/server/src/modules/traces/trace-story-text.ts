import type { StoryEntry, StoryPayment, TraceStory } from './trace-story.ts';

const levelNames: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** Fields every log line has: the rest is what the line is about. */
const commonLogFields = new Set([
  'level',
  'time',
  'pid',
  'service',
  'name',
  'msg',
  'trace_id',
  'span_id',
  'request_id',
  'actor',
]);

/** The span attributes worth a glance on one line (all of them are in `--json`). */
const shownAttributes = [
  'http.response.status_code',
  'enduser.id',
  'kassa.processor.result',
  'kassa.processor.code',
  'kassa.processor_sim.fault',
  'kassa.processor_sim.replayed',
  'kassa.webhook.attempt',
  'kassa.webhook.outcome',
  'kassa.event_type',
  'kassa.ledger.batch_size',
  'kassa.ledger.queue_wait_ms',
  'db.pool_wait_ms',
];

/** A stored JSON value as text ('-' when absent). */
function text(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function paymentLines(payment: StoryPayment): string[] {
  const lines = [
    `${payment.id}  ${payment.kind} ${payment.status}  ${payment.amount} ${payment.currency} (minor units)  created ${payment.createdAt.toISOString()}`,
  ];
  if (payment.risk !== null && typeof payment.risk === 'object') {
    const risk = payment.risk as Record<string, unknown>;
    const reasons = Array.isArray(risk['reasons'])
      ? (risk['reasons'] as { code?: string }[]).map((r) => r.code).join(', ')
      : '';
    const timings = risk['timings_us'] as Record<string, number> | undefined;
    lines.push(
      `  risk: ${text(risk['decision'])}${risk['enforced'] === false ? ' (shadow: not enforced)' : ''}, ` +
        `score ${text(risk['score'])}${reasons === '' ? '' : ` (${reasons})`}` +
        `${risk['rule'] === undefined ? '' : `, rule ${text(risk['rule'])}`}` +
        `, model ${text(risk['model_version'])}, rules ${text(risk['rules_version'])}` +
        `${timings === undefined ? '' : `, took ${(timings['features'] ?? 0) + (timings['model'] ?? 0) + (timings['rules'] ?? 0)} µs`}`,
    );
  } else lines.push('  risk: no decision stored');
  const flow = payment.processorFlow;
  if (flow !== null)
    lines.push(
      `  processor flow: ${text(flow['recovery_point'])}, object ${text(flow['processor_object_id'])}, ` +
        `attempts ${text(flow['attempts'])}, key ${text(flow['processor_key'])}` +
        `${flow['last_error'] === null ? '' : `, last error: ${text(flow['last_error'])}`}`,
    );
  return lines;
}

function entryText(entry: StoryEntry, depth: number): string {
  switch (entry.kind) {
    case 'span': {
      const shown = shownAttributes
        .filter((key) => entry.attributes[key] !== undefined)
        .map((key) => `${key.replace(/^kassa\./, '')}=${String(entry.attributes[key])}`);
      const query = entry.attributes['db.query.text'];
      if (typeof query === 'string') shown.push(clip(query.replace(/\s+/g, ' '), 60));
      const status =
        entry.status === 2
          ? `  ERROR${entry.statusMessage === null ? '' : ` ${entry.statusMessage}`}`
          : '';
      return `span    ${entry.service.padEnd(20)} ${'  '.repeat(depth)}${entry.name}  ${entry.durationMs.toFixed(1)} ms${status}  ${[entry.requestId, entry.objectId, ...shown].filter((x) => x !== null).join(' ')}`;
    }
    case 'log': {
      const rest = Object.fromEntries(
        Object.entries(entry.line).filter(([key]) => !commonLogFields.has(key)),
      );
      const fields = Object.keys(rest).length === 0 ? '' : `  ${clip(JSON.stringify(rest), 160)}`;
      return `log     ${entry.service.padEnd(20)} ${levelNames[entry.level] ?? entry.level} ${entry.message ?? ''}${fields}  ${[entry.requestId, entry.actor].filter((x) => x !== null).join(' ')}`;
    }
    case 'journal':
      return `journal ${entry.type}  stream ${entry.streamId}`;
    case 'event':
      return `event   ${entry.type} ${entry.id} about ${entry.objectId}${entry.requestId === null ? '' : ` (${entry.requestId})`}`;
    case 'webhook':
      return `webhook ${entry.eventId} → ${entry.endpoint}: ${entry.status} after ${entry.attempts} attempt(s), last ${entry.lastStatus ?? entry.lastError ?? '-'}${entry.deliveredAt === null ? '' : `, delivered ${entry.deliveredAt.toISOString()}`}`;
  }
}

/** The story as an operator reads it: the payments, then everything in time order. */
export function traceStoryText(story: TraceStory): string {
  const out = [`kassa trace ${story.subject}`];
  for (const payment of story.payments) out.push(...paymentLines(payment));
  out.push(`traces: ${story.traceIds.length === 0 ? 'none recorded' : story.traceIds.join(', ')}`);
  if (story.truncated) out.push('(some kinds of rows stopped at the limit: see --json)');
  const spans = new Map(
    story.entries.flatMap((e) => (e.kind === 'span' ? [[e.spanId, e] as const] : [])),
  );
  const depthOf = (entry: StoryEntry): number => {
    let depth = 0;
    let parent = entry.kind === 'span' ? entry.parentSpanId : null;
    while (parent !== null && depth < 20) {
      const next = spans.get(parent);
      if (next === undefined) break;
      depth += 1;
      parent = next.parentSpanId;
    }
    return depth;
  };
  const first = story.entries[0]?.at.getTime() ?? 0;
  for (const entry of story.entries) {
    const offset = `+${(entry.at.getTime() - first).toString()} ms`;
    out.push(
      `${entry.at.toISOString().slice(11, 23)} ${offset.padStart(11)}  ${entryText(entry, depthOf(entry))}`,
    );
  }
  return out.join('\n');
}
