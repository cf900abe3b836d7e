-- Issue 15 §5: outcomes that become labels for the next training run. One label per payment and
-- source: a payer's "I didn't make this" report, an operator's review verdict.
create table risk_labels (
  payment_id uuid not null references payments (id),
  source text not null check (source in ('payer_report', 'review_verdict')),
  label text not null check (label in ('fraud', 'legitimate')),
  note text,
  created_at timestamptz not null,
  primary key (payment_id, source)
);
