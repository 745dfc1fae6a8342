import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';

export interface Listening {
  /** e.g. http://127.0.0.1:8080 */
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the app on host:port (port 0 picks a free one) with keep-alive connections. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function listen(app: Hono<any>, host: string, port: number): Promise<Listening> {
  return await new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => {
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        origin: `http://${shown}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            const http = server as Server;
            http.closeIdleConnections?.();
            http.close(() => done());
            setTimeout(() => http.closeAllConnections?.(), 2000).unref();
          }),
      });
    });
    server.once('error', reject);
  });
}
