import { timingSafeEqual } from 'node:crypto';

export function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The key and secret of an `Authorization: Basic` header, if that is what it is. */
export function basicCredentials(header: string | undefined): { key: string; secret: string } | undefined {
  const [scheme, encoded = ''] = (header ?? '').trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { key: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** Umbrella's error shape: `{"message": …}`. */
export function message(text: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ message: text }), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A JSON object body, or undefined when it is not one. */
export async function objectBody(req: { text(): Promise<string> }): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed = JSON.parse(await req.text()) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A whole number query parameter within bounds, its default when absent, or undefined when bad. */
export function intParam(value: string | undefined, fallback: number, min: number, max: number): number | undefined {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

export const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
