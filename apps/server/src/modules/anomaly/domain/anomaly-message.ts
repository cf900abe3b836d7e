import type { AnomalyChange } from './anomaly-detector.ts';
import type { AnomalySignal } from './anomaly-signals.ts';

const what: Readonly<Record<AnomalySignal, { raised: string; name: string }>> = {
  volume: { raised: 'Payments dropped', name: 'payments' },
  success_rate: { raised: 'Success rate dropped', name: 'success rate' },
  decline_rate: { raised: 'Declines up', name: 'declines' },
  outcome_unknown_rate: { raised: 'Unknown outcomes up', name: 'unknown outcomes' },
  fraud_block_rate: { raised: 'Fraud blocks up', name: 'fraud blocks' },
};

const oneDecimal = (value: number) => value.toFixed(1);
const share = (value: number | null) => `${((value ?? 0) * 100).toFixed(1)}%`;
const clock = (minute: number) => new Date(minute * 60_000).toISOString().slice(11, 16);

/**
 * The operator's alert for a change, in words: what moved, by how much against what this time
 * of the week usually brings, and since when (UTC).
 */
export function describeAnomaly(change: AnomalyChange): { title: string; body: string } {
  const { reading } = change;
  const words = what[change.signal];
  const z = `z ${reading.z.toFixed(1)}`;
  const measured =
    change.signal === 'volume'
      ? `${oneDecimal(reading.observedPerMinute)} payments a minute against ${oneDecimal(reading.expectedPerMinute)} usual at this time of the week (${z})`
      : `${words.name} ${share(reading.observedShare)} of attempts against ${share(reading.expectedShare)} usual (${z})`;
  if (change.type === 'raised')
    return {
      title: `${words.raised}: ${change.slice}`,
      body: `${measured[0]?.toUpperCase() ?? ''}${measured.slice(1)}, since ${clock(change.since)} UTC.`,
    };
  return {
    title: `Back to normal: ${words.name}, ${change.slice}`,
    body: `The anomaly since ${clock(change.since)} UTC has cleared: ${measured}.`,
  };
}
