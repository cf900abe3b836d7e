-- Issue 15 §5: a merchant's refund given as `reason: "fraudulent"` (Stripe's code) labels the
-- payment fraud for the next training run, beside payer reports and review verdicts.
alter table risk_labels drop constraint risk_labels_source_check;
alter table risk_labels add constraint risk_labels_source_check
  check (source in ('payer_report', 'review_verdict', 'fraud_refund'));
