import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: { object: { id: string } & Record<string, unknown> };
}

/**
 * A merchant's webhook receiver as a merchant would write it: it verifies every request with the
 * independent `standardwebhooks` library and processes each event id once (it dedupes, since
 * delivery is at least once). `behaviour` decides per request whether it answers 200, fails
 * with 500, or hangs without answering.
 */
export async function startWebhookReceiver(behaviour: () => 'ok' | 'fail' | 'hang' = () => 'ok') {
  let secrets: string[] = [];
  const processed = new Map<string, ReceivedEvent>();
  const order: ReceivedEvent[] = [];
  const stats = { requests: 0, failedOnPurpose: 0, hung: 0, duplicates: 0, badSignatures: 0 };
  const signatureHeaders: string[] = [];

  async function read(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString();
  }

  const server = createServer((req, res) => {
    void (async () => {
      stats.requests += 1;
      const body = await read(req);
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      };
      signatureHeaders.push(headers['webhook-signature']);
      const valid =
        secrets.length > 0 &&
        secrets.every((secret) => {
          try {
            new Webhook(secret).verify(body, headers);
            return true;
          } catch {
            return false;
          }
        });
      if (!valid) {
        stats.badSignatures += 1;
        res.writeHead(400).end();
        return;
      }
      const mode = behaviour();
      if (mode === 'hang') {
        stats.hung += 1;
        return; // never answers; the sender times out
      }
      if (mode === 'fail') {
        stats.failedOnPurpose += 1;
        res.writeHead(500).end();
        return;
      }
      const event = JSON.parse(body) as ReceivedEvent;
      if (processed.has(event.id)) stats.duplicates += 1;
      else {
        processed.set(event.id, event);
        order.push(event);
      }
      res.writeHead(200).end('ok');
    })();
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    processed,
    order,
    stats,
    signatureHeaders,
    /** Every request must verify under each of these secrets (two during a rotation). */
    expectSecrets(list: string[]) {
      secrets = list;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
