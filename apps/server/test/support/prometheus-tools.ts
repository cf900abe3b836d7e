import { spawn, spawnSync } from 'node:child_process';

/** Debian's promtool and amtool (`scripts/ensure-prometheus.sh`); never downloaded binaries. */
export function requirePrometheusTools(): void {
  for (const tool of ['promtool', 'amtool'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      throw new Error(`${tool} is not installed: run scripts/ensure-prometheus.sh (npm test does)`);
}

export interface ToolRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Both streams, for assertion messages. */
  readonly output: string;
}

/** Runs a tool to its end, `input` on its stdin; never throws on a non-zero exit. */
export function runTool(
  command: string,
  args: readonly string[],
  options: { input?: string; cwd?: string } = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}`.trim() }),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}
