import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { fraudTypologies, lookAlikes, type RiskEvent } from './risk-event.ts';
import { summarizeSimulation } from './simulation-summary.ts';
import { simulate } from './simulator.ts';

const fingerprint = (events: readonly RiskEvent[]) =>
  createHash('sha256')
    .update(JSON.stringify(events, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
    .digest('hex');

const options = { seed: 11, users: 1_500, days: 28 };
const simulation = simulate(options);
const summary = summarizeSimulation(simulation);

describe('fraud simulator', () => {
  it('gives the same events for the same seed and others for another seed', () => {
    assert.equal(fingerprint(simulate(options).events), fingerprint(simulation.events));
    assert.notEqual(
      fingerprint(simulate({ ...options, seed: 12 }).events),
      fingerprint(simulation.events),
    );
  });

  it('plays every typology, in several cases, and keeps fraud rare', () => {
    for (const typology of fraudTypologies) {
      assert.ok(
        summary.casesByTypology[typology] >= 2,
        `${typology}: ${summary.casesByTypology[typology]} cases`,
      );
      assert.ok(
        summary.fraudByTypology[typology] >= 10,
        `${typology}: ${summary.fraudByTypology[typology]} movements`,
      );
    }
    assert.ok(
      summary.fraudShare > 0.002 && summary.fraudShare < 0.02,
      `fraud share ${summary.fraudShare}`,
    );
    for (const count of Object.values(summary.byKind)) assert.ok(count > 0);
  });

  it('plays every legitimate look-alike, never labelled fraud', () => {
    for (const name of lookAlikes)
      assert.ok(summary.lookAlikes[name] >= 10, `${name}: ${summary.lookAlikes[name]}`);
    for (const event of simulation.events)
      if (event.type === 'money_movement' && event.truth.lookAlike !== null)
        assert.equal(event.truth.fraud, false, event.id);
  });

  it('keeps look-alikes close to their typology: amounts and fan-in overlap', () => {
    const movements = simulation.events.filter((e) => e.type === 'money_movement');
    const fanIn = (lookAlike: string | null, typology: string | null) => {
      const receivers = new Map<string, Set<string>>();
      for (const m of movements)
        if (m.kind === 'p2p' && m.truth.lookAlike === lookAlike && m.truth.typology === typology)
          receivers.set(
            m.counterpartyId,
            (receivers.get(m.counterpartyId) ?? new Set()).add(m.userId),
          );
      return Math.max(...[...receivers.values()].map((s) => s.size));
    };
    // Sellers collect from at least as many payers as a mule does.
    assert.ok(fanIn('seller', null) >= fanIn(null, 'mule'));
    const smallTopUps = (predicate: (m: (typeof movements)[number]) => boolean) =>
      movements.filter((m) => m.kind === 'top_up' && m.amountMinor <= 500n && predicate(m)).length;
    assert.ok(smallTopUps((m) => m.truth.lookAlike === 'card_adder') > 0, 'new cards tried small');
    assert.ok(smallTopUps((m) => m.truth.typology === 'card_testing') > 0);
  });

  it('emits a time-ordered stream with unique ids, fraud only after the warm-up', () => {
    const warmupEndMs = simulation.startMs + simulation.warmupDays * 86_400_000;
    const ids = new Set<string>();
    let previous = Number.NEGATIVE_INFINITY;
    for (const event of simulation.events) {
      assert.ok(event.atMs >= previous, `${event.id} out of order`);
      previous = event.atMs;
      ids.add(event.id);
      assert.ok(event.atMs < simulation.endMs);
      if (event.type === 'money_movement' && event.truth.fraud)
        assert.ok(event.atMs >= warmupEndMs, `${event.id} fraud in the warm-up`);
    }
    assert.equal(ids.size, simulation.events.length);
  });
});
