type Env = Readonly<Record<string, string | undefined>>;

function key(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.length < 16)
    throw new Error(`${name} must be set (at least 16 characters)`);
  return value;
}

/** The stand-in's settings, from the environment (documented in the README). */
export function readSimConfig(env: Env = process.env) {
  const port = Number(env['PROCESSOR_PORT'] ?? '4010');
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error('PROCESSOR_PORT must be a port number');
  // One value was once both the API key and the callback key: whoever holds the API key could
  // then forge callbacks. Refuse the old setting rather than guess which role it should play.
  if (env['PROCESSOR_SECRET'] !== undefined)
    throw new Error(
      'PROCESSOR_SECRET is no longer read: set PROCESSOR_API_KEY and PROCESSOR_CALLBACK_SECRET (two different values)',
    );
  const apiKey = key(env, 'PROCESSOR_API_KEY');
  const callbackSecret = key(env, 'PROCESSOR_CALLBACK_SECRET');
  if (apiKey === callbackSecret)
    throw new Error('PROCESSOR_API_KEY and PROCESSOR_CALLBACK_SECRET must differ');
  return {
    port,
    host: env['PROCESSOR_HOST'] ?? '127.0.0.1',
    apiKey,
    callbackSecret,
    callbackUrl: env['PROCESSOR_CALLBACK_URL'],
    dataFile: env['PROCESSOR_DATA_FILE'],
    /** Its spans go to this OTLP/HTTP collector (unset: they are not recorded). */
    otlpEndpoint: env['OTEL_EXPORTER_OTLP_ENDPOINT']?.replace(/\/+$/, '') || undefined,
  };
}
