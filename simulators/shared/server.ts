import { serve, type HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export type SimulatorEnv = { Bindings: HttpBindings };

export interface RunningServer {
  /** Origin the server listens on, e.g. http://127.0.0.1:41234 (no trailing slash). */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves a Hono app on 127.0.0.1 (port 0 picks a free one). Simulators never listen beyond loopback. */
export async function startServer(app: Hono<SimulatorEnv>, port = 0): Promise<RunningServer> {
  return await new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        origin: `http://127.0.0.1:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            const http = server as Server;
            http.closeAllConnections?.();
            http.close(() => done());
          }),
      });
    });
    server.once('error', reject);
  });
}
