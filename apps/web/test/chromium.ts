import { existsSync } from 'node:fs';

/** Debian's Chromium (`scripts/ensure-chromium.sh` installs it); never a downloaded browser. */
export function chromiumPath(): string {
  for (const path of ['/usr/bin/chromium', '/usr/bin/chromium-browser'])
    if (existsSync(path)) return path;
  throw new Error('Chromium is not installed: run scripts/ensure-chromium.sh (npm test does)');
}
