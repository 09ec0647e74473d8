import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../lib/app';
import type { MfaOtpStack } from '../../lib/mfa-otp-stack';
import type { FunctionName } from '../../lib/permissions';
import { REPO_ROOT } from '../../lib/service-function';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;

export interface Synthesized {
  readonly app: App;
  readonly stack: MfaOtpStack;
  readonly template: Template;
}

/**
 * The app as `cdk synth` builds it (bin/app.ts, the feature flags of cdk.json, cdk-nag),
 * with `context` on top. Bundling is off unless asked for: esbuild is proved by
 * bundling.test.ts and by `npm run synth`, and skipping it keeps these files fast.
 */
export function synth(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): Synthesized {
  const { app, stack } = build(context, options);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The same app, not yet synthesized. */
export function build(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): { app: App; stack: MfaOtpStack } {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({
    context: {
      ...cdkJson.context,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  return { app, stack: buildApp(app) };
}

export function logicalId(construct: IConstruct): string {
  const cfn = construct.node.defaultChild;
  if (!(cfn instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(cfn);
}

export function resources(template: Template): Resources {
  return template.toJSON().Resources as Resources;
}

export function functionProperties(synthesized: Synthesized, name: FunctionName): Record<string, unknown> {
  const id = logicalId(synthesized.stack.functions[name].fn);
  const resource = resources(synthesized.template)[id];
  if (!resource) throw new Error(`no resource ${id} for ${name}`);
  return resource.Properties ?? {};
}

export function environmentOf(synthesized: Synthesized, name: FunctionName): Record<string, unknown> {
  const environment = functionProperties(synthesized, name).Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  /** Only in a resource policy: who it grants to. */
  Principal?: unknown;
}

/** Every statement that reaches the function's role: attached policies, inline and managed ones. */
export function roleStatements(synthesized: Synthesized, name: FunctionName): Statement[] {
  const roleId = logicalId(synthesized.stack.functions[name].role);
  const all = resources(synthesized.template);
  const role = all[roleId];
  if (!role) throw new Error(`no role ${roleId} for ${name}`);
  const inline = ((role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (policy) => policy.PolicyDocument.Statement,
  );
  const attached = Object.values(all)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy')
    .filter((resource) => JSON.stringify(resource.Properties?.Roles).includes(`"${roleId}"`))
    .flatMap((resource) => (resource.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
  if (role.Properties?.ManagedPolicyArns) throw new Error(`${name} has managed policies`);
  return [...inline, ...attached];
}

export function actionsOf(statements: Statement[]): string[] {
  return [...new Set(statements.flatMap((statement) => [statement.Action].flat()))].sort();
}

/** `POST /auth/v1/mfa/otp/generate` → the method's properties, by walking the resource tree. */
export function methodsByRoute(template: Template): Map<string, Record<string, unknown>> {
  const all = resources(template);
  const pathOf = (resourceId: unknown): string => {
    const ref = (resourceId as { Ref?: string }).Ref;
    const resource = ref ? all[ref] : undefined;
    if (!resource || resource.Type !== 'AWS::ApiGateway::Resource') return '';
    return `${pathOf(resource.Properties?.ParentId)}/${String(resource.Properties?.PathPart)}`;
  };
  const routes = new Map<string, Record<string, unknown>>();
  for (const resource of Object.values(all)) {
    if (resource.Type !== 'AWS::ApiGateway::Method') continue;
    const properties = resource.Properties ?? {};
    routes.set(`${String(properties.HttpMethod)} ${pathOf(properties.ResourceId) || '/'}`, properties);
  }
  return routes;
}
