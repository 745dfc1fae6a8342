// The operator surfaces on roster's HTTP app: the REST API at /api and the dashboard pages.
import type { Hono } from 'hono';
import { createApi } from './api/index.ts';
import { createDashboard } from './dashboard/index.ts';
import type { SurfaceOptions } from './surface-options.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mounted on whatever env the host app declares
export function mountSurfaces(app: Hono<any>, options: SurfaceOptions): void {
  app.route('/api', createApi(options));
  app.route('/', createDashboard(options));
}
