/**
 * A device for offline-restart.int.test.ts: opens the SDK's state file, queues payments with no
 * connection, then dies by SIGKILL (no clean shutdown, nothing flushed after the queueing).
 */
import { createKassaClient } from '../src/index.ts';
import { fileStorage } from '../src/file-storage.ts';

const [baseUrl = '', stateFile = '', to = '', ...amounts] = process.argv.slice(2);
const client = await createKassaClient({
  baseUrl,
  storage: fileStorage(stateFile),
  online: () => false,
});
for (const amount of amounts) {
  const record = await client.send({ to, amount: Number(amount), currency: 'USD' });
  process.stdout.write(`${JSON.stringify({ id: record.id, state: record.state })}\n`);
}
process.kill(process.pid, 'SIGKILL');
