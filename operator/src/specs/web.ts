import type { KubernetesObject, V1Ingress, V1Service } from '@kubernetes/client-node';
import { type BuildContext, PORTS } from './context.ts';
import { selectorLabels } from './labels.ts';
import { ownedMeta } from './object-meta.ts';
import { serviceContainer, serviceVolumes } from './service-pod.ts';
import { type Applied, disruptionBudget, headlessService, statefulSet } from './workload.ts';
import { UIDS } from './pod-security.ts';

/** The web tier: fastify webmail pods, their Service, and an Ingress when a host is given. */
export function webObjects(ctx: BuildContext): KubernetesObject[] {
  const { cluster, names, size } = ctx;
  const { ingress } = cluster.spec.web;
  const publicUrl = ingress.host ? `${ingress.tlsSecretName ? 'https' : 'http'}://${ingress.host}` : `http://${names.web}.${cluster.metadata.namespace}.svc`;
  const container = serviceContainer(ctx, {
    name: 'web',
    image: ctx.images.web,
    usesQueue: false,
    resources: size.web.resources,
    ports: [{ name: 'http', containerPort: PORTS.web }],
    env: [
      { name: 'MAILCLUSTER_WEB_LISTEN', value: `0.0.0.0:${PORTS.web}` },
      { name: 'MAILCLUSTER_PUBLIC_URL', value: publicUrl },
      { name: 'MAILCLUSTER_TRUST_PROXY', value: 'true' },
      { name: 'MAILCLUSTER_SUBMISSION', value: `${names.smtp}.${cluster.metadata.namespace}.svc:587` },
      { name: 'MAILCLUSTER_SUBMISSION_TLS_SERVERNAME', value: ctx.smtpHostname },
      { name: 'MAILCLUSTER_SUBMISSION_CA_FILE', value: '/etc/mailcluster/smtp-tls/ca.crt' },
      { name: 'MAILCLUSTER_SUBMISSION_PASSWORD', valueFrom: { secretKeyRef: { name: names.submission, key: 'password' } } },
    ],
    mounts: [{ name: 'smtp-tls', mountPath: '/etc/mailcluster/smtp-tls', readOnly: true }],
  });
  const service: Applied<V1Service> = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMeta(cluster, names.web, 'web'),
    spec: { selector: selectorLabels(cluster, 'web'), ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  };
  const objects: KubernetesObject[] = [
    statefulSet(ctx, {
      name: names.web,
      headless: names.webHeadless,
      component: 'web',
      replicas: size.web.replicas,
      containers: [container],
      volumes: [...serviceVolumes(ctx), { name: 'smtp-tls', secret: { secretName: names.smtpTls, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }],
      uid: UIDS.node,
      placement: cluster.spec.web.placement,
      separateNodes: false,
      terminationGracePeriodSeconds: 30,
    }),
    headlessService(ctx, names.webHeadless, 'web', [{ name: 'http', port: PORTS.web }]),
    service,
    disruptionBudget(ctx, names.web, 'web'),
  ];
  if (ingress.host) {
    const ing: Applied<V1Ingress> = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: ownedMeta(cluster, names.web, 'web'),
      spec: {
        ...(ingress.className ? { ingressClassName: ingress.className } : {}),
        ...(ingress.tlsSecretName ? { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] } : {}),
        rules: [
          {
            host: ingress.host,
            http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: names.web, port: { name: 'http' } } } }] },
          },
        ],
      },
    };
    objects.push(ing);
  }
  return objects;
}
