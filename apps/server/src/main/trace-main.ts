import { loadConfig } from '../config/config.ts';
import { runMain } from './process-lifecycle.ts';
import { traceCommand } from './trace-cli.ts';

/** `kassa trace` as a process of its own (see `kassa.ts`). */
await runMain('kassa', async () => {
  const code = await traceCommand(process.argv.slice(3), loadConfig(), (line) =>
    process.stdout.write(`${line}\n`),
  );
  process.exit(code);
});
