-- API processes poll for recently revoked session families; this keeps that poll an index scan.
create index refresh_tokens_revoked_at_idx on refresh_tokens (revoked_at) where revoked_at is not null;
