/** The stand-in's settings, from the environment (documented in the README). */
export function readSimConfig() {
  const env = process.env;
  const port = Number(env['PROCESSOR_PORT'] ?? '4010');
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error('PROCESSOR_PORT must be a port number');
  const secret = env['PROCESSOR_SECRET'];
  if (secret === undefined || secret.length < 16)
    throw new Error('PROCESSOR_SECRET must be set (at least 16 characters)');
  return {
    port,
    host: env['PROCESSOR_HOST'] ?? '127.0.0.1',
    secret,
    callbackUrl: env['PROCESSOR_CALLBACK_URL'],
    dataFile: env['PROCESSOR_DATA_FILE'],
  };
}
