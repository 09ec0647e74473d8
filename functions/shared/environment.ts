import type * as z from 'zod/mini';

/**
 * Parses environment variables with `schema`; the error names every variable that is
 * wrong. Apart from config.ts, which parses the functions' environment as it loads, so
 * that a script can parse its own before it sets the functions' (scripts/local/local-settings.ts).
 */
export function parseEnvironment<T>(schema: z.ZodMiniType<T>, env: NodeJS.ProcessEnv): T {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}
