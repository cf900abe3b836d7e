/** The supervisor `npm run cluster` leaves running in the background (see cluster/supervisor.ts). */
import { join } from 'node:path';
import { loadConfig } from '../config/config.ts';
import { runSupervisor } from '../cluster/index.ts';
import { runMain } from './process-lifecycle.ts';
import { loadSecrets } from './secrets.ts';

await runMain('kassa-cluster', async () => {
  const config = loadConfig();
  // The cluster's own secrets (operator key, token secret, processor keys) live in its folder.
  const secrets = await loadSecrets({ ...config, dataDir: config.cluster.dir });
  await runSupervisor({
    config,
    secrets,
    root: join(import.meta.dirname, '..', '..', '..', '..'),
    say: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
});
