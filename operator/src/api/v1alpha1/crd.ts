import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { z } from 'zod';
import { API_VERSION, GROUP, KIND, PLURAL, VERSION, mailClusterSpecSchema, mailClusterStatusSchema } from './mailcluster.ts';

type JsonSchema = Record<string, unknown>;

/**
 * Turns zod's OpenAPI 3.0 output into a Kubernetes structural schema: no `additionalProperties:
 * false` (the API server prunes unknown fields and strict field validation reports them), int-or-
 * string quantities without a type, embedded Kubernetes objects kept as they are.
 */
function structural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structural);
  if (node === null || typeof node !== 'object') return node;
  const schema: JsonSchema = {};
  for (const [key, value] of Object.entries(node as JsonSchema)) schema[key] = structural(value);
  if (schema.additionalProperties === false) delete schema.additionalProperties;
  if (schema['x-kubernetes-int-or-string'] === true) {
    delete schema.anyOf;
    delete schema.type;
  }
  if (schema['x-kubernetes-preserve-unknown-fields'] === true) delete schema.additionalProperties;
  if (schema.type === 'integer' && schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
  if (schema.type === 'integer' && schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
  return schema;
}

function openApi(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'openapi-3.0', io }) as JsonSchema;
  return structural(rest) as JsonSchema;
}

const printerColumns = [
  { name: 'Users', type: 'integer', jsonPath: '.spec.users' },
  { name: 'Web', type: 'string', jsonPath: '.status.web.ready', description: 'Ready web pods' },
  { name: 'SMTP', type: 'string', jsonPath: '.status.smtp.ready', description: 'Ready smtp-ingest pods' },
  { name: 'DB', type: 'string', jsonPath: '.status.db.ready', description: 'Ready db servers' },
  { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

/** The MailCluster CustomResourceDefinition, as written to crds/. */
export function mailClusterCrd(): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${PLURAL}.${GROUP}`, labels: { 'app.kubernetes.io/part-of': 'mailcluster' } },
    spec: {
      group: GROUP,
      names: { kind: KIND, plural: PLURAL, singular: 'mailcluster', listKind: `${KIND}List`, shortNames: ['mc'], categories: ['mailcluster'] },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: printerColumns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: `${KIND} (${API_VERSION}): a mail system sized from the number of users it serves.`,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                // Input form: defaults are the API server's to apply, so fields with one are optional.
                spec: openApi(mailClusterSpecSchema, 'input'),
                status: openApi(mailClusterStatusSchema, 'output'),
              },
            },
          },
        },
      ],
    },
  };
}
