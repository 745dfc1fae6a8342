// The `auth:` block of roster.yaml: single sign-on with an OIDC provider.
import { z } from 'zod';
import { secretRef } from '../config/app-schema.ts';

export const authConfigSchema = z
  .object({
    oidc: z
      .object({
        /** The provider's issuer URL; its /.well-known/openid-configuration is read. */
        issuer: z.url(),
        clientId: z.string().min(1),
        /** A secret reference (env:NAME or file:path). */
        clientSecret: secretRef,
        /** Where the provider sends the browser back; default: <the request's origin>/auth/oidc/callback. */
        redirectUri: z.url().optional(),
        /** Only people whose verified email is in one of these domains may be linked or provisioned. */
        allowedDomains: z.array(z.string().min(1)).optional(),
        /** Make a viewer account for a signed-in person roster does not know (default: refuse them). */
        autoProvision: z.boolean().default(false),
      })
      .strict()
      .optional(),
  })
  .strict();

export type AuthConfig = z.infer<typeof authConfigSchema>;
