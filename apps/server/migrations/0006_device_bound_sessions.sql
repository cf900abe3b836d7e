-- A session opened from an enrolled device is bound to it: only that device may refresh it.
alter table refresh_tokens add column device_id uuid references devices (id);
