import { createServer, type Server } from 'node:http';

/**
 * A merchant's webhook handler for the battery: answers 200 and counts deliveries per payment,
 * so the checker can tell a missed event (0) from a repeated one (> 1).
 */
export interface WebhookReceiver {
  readonly url: string;
  /** Deliveries per payment id (`pay_…`). */
  readonly deliveries: ReadonlyMap<string, number>;
  /** When each payment's first delivery arrived (performance.now()). */
  readonly firstDeliveredAt: ReadonlyMap<string, number>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries = new Map<string, number>();
  const firstDeliveredAt = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      try {
        const event = JSON.parse(body) as { data?: { id?: string; object?: { id?: string } } };
        const id = event.data?.object?.id ?? event.data?.id;
        if (id !== undefined) {
          deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
          if (!firstDeliveredAt.has(id)) firstDeliveredAt.set(id, performance.now());
        }
      } catch {
        // Not an event: counted nowhere.
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    deliveries,
    firstDeliveredAt,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
