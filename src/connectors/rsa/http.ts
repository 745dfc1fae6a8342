import { RosterError } from '../../errors.ts';
import { HttpClient, type HttpRequest, type HttpResponse } from '../http/client.ts';
import { errorDetail } from '../http/errors.ts';
import { LOCAL_SOURCE_DELETE, SECRET_REFUSED } from './manifest.ts';

/**
 * The shared HttpClient with RSA's failures said in RSA's terms: a 401 is a client secret that is
 * wrong or not yet published; a DELETE's 405 is a user of a Local identity source (not retried).
 */
export class RsaHttpClient extends HttpClient {
  override async request(req: HttpRequest): Promise<HttpResponse> {
    const callerAccepts = req.accept ?? [];
    const handled = [401, 405].filter((s) => !callerAccepts.includes(s));
    const res = await super.request({ ...req, accept: [...callerAccepts, ...handled] });
    if (!handled.includes(res.status)) return res;
    const url = this.url(req.path, req.query);
    const label = `${url.pathname}${url.search}`;
    const facts = { appName: this.appName, method: req.method, path: label, status: res.status };
    if (res.status === 401) throw new RosterError('auth_failed', `${this.appName}: ${req.method} ${label} answered 401: ${SECRET_REFUSED}`, facts);
    const detail = errorDetail(res.body);
    if (req.method === 'DELETE') {
      throw new RosterError('unsupported', `${this.appName}: ${LOCAL_SOURCE_DELETE}${detail ? ` (RSA said: ${detail})` : ''}`, { ...facts, localIdentitySource: true });
    }
    throw new RosterError('unsupported', `${this.appName}: ${req.method} ${label} answered 405: RSA does not allow this${detail ? ` (${detail})` : ''}`, facts);
  }
}
