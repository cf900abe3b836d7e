-- Issue 15: a risk decision on every money movement, stored with the object; a review status
-- that holds the money until an operator approves or declines; the model registry.

alter table payments drop constraint payments_status_check;
alter table payments add constraint payments_status_check check (status in (
  'requires_action', 'processing', 'requires_capture', 'under_review', 'succeeded', 'canceled',
  'failed', 'outcome_unknown'));

-- {decision, score, reasons: [{code, message}], model_version, rules_version, timings_us,
--  failed_open?}: null on rows from before risk scoring.
alter table payments add column risk jsonb;
alter table refunds add column risk jsonb;

-- The review queue, oldest first; unreviewed holds expire from it.
create index payments_under_review_idx on payments (created_at) where status = 'under_review';

-- Trained models: a promoted one is what the API scores with (the newest promotion wins).
create table risk_models (
  version text primary key,
  kind text not null check (kind in ('gbdt', 'logistic')),
  model text not null,  -- the canonical JSON the version is the digest of
  metrics jsonb,
  created_at timestamptz not null,
  promoted_at timestamptz
);
create index risk_models_promoted_idx on risk_models (promoted_at desc) where promoted_at is not null;
