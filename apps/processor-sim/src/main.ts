import { createProcessorSim } from './processor-sim.ts';
import { readSimConfig } from './sim-config.ts';
import { otlpTracing } from './sim-otlp.ts';

/** The processor stand-in as its own process (`npm run processor`). */
function settings(): ReturnType<typeof readSimConfig> {
  try {
    return readSimConfig();
  } catch (error) {
    // A bad setting is one line for the operator, not a stack trace.
    process.stderr.write(`processor-sim: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
const config = settings();
const sim = createProcessorSim(config);
// On its own, the stand-in's spans reach Kassa's traces only through a collector.
const tracing = config.otlpEndpoint === undefined ? null : otlpTracing(config.otlpEndpoint);
if (tracing !== null) sim.setTracer(tracing.tracer);
const address = await sim.listen(config.port, config.host);
process.stdout.write(`processor-sim listening at ${address}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void sim
      .close()
      .then(() => tracing?.close())
      .then(() => process.exit(0));
  });
