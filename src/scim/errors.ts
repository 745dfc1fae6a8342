import { SCIM } from './schemas.ts';

/** RFC 7644 §3.12 scimType values. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export interface ScimErrorBody {
  schemas: [typeof SCIM.error];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** A SCIM protocol error; `toJSON()` is the wire body (status as a string, as RFC 7644 says). */
export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;

  constructor(status: number, detail: string, scimType?: ScimType) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
  }

  get detail(): string {
    return this.message;
  }

  toJSON(): ScimErrorBody {
    const body: ScimErrorBody = { schemas: [SCIM.error], status: String(this.status), detail: this.message };
    if (this.scimType) body.scimType = this.scimType;
    return body;
  }

  static badRequest(scimType: ScimType, detail: string): ScimError {
    return new ScimError(400, detail, scimType);
  }
}

export function isScimErrorBody(value: unknown): value is ScimErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const schemas = (value as { schemas?: unknown }).schemas;
  return Array.isArray(schemas) && schemas.includes(SCIM.error);
}
