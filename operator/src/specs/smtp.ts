import type { KubernetesObject, V1Service, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { type BuildContext, PORTS } from './context.ts';
import { selectorLabels } from './labels.ts';
import { ownedMeta } from './object-meta.ts';
import { UIDS } from './pod-security.ts';
import { serviceContainer, serviceVolumes } from './service-pod.ts';
import { type Applied, disruptionBudget, headlessService, statefulSet } from './workload.ts';

/** How long a draining smtp-ingest pod lets sessions finish; below the pod's grace period. */
const DRAIN_SECONDS = 45;

/**
 * The SMTP tier: smtp-ingest pods behind a LoadBalancer (25, and 587 for submission), scaled by an
 * autoscaler between the seed's 2 and 4 pods per million users. The replica count is the
 * autoscaler's, so the StatefulSet is applied without one.
 */
export function smtpObjects(ctx: BuildContext): KubernetesObject[] {
  const { cluster, names, size } = ctx;
  const { smtp } = cluster.spec;
  const ports = [{ name: 'smtp', containerPort: PORTS.smtp }, ...(smtp.submission ? [{ name: 'submission', containerPort: PORTS.submission }] : [])];
  const container = serviceContainer(ctx, {
    name: 'smtp-ingest',
    image: ctx.images.smtpIngest,
    usesQueue: true,
    resources: size.smtp.resources,
    ports,
    env: [
      { name: 'MAILCLUSTER_SMTP_LISTEN', value: `0.0.0.0:${PORTS.smtp}` },
      { name: 'MAILCLUSTER_SMTP_HOSTNAME', value: ctx.smtpHostname },
      { name: 'MAILCLUSTER_SMTP_PROXY_PROTOCOL', value: String(smtp.proxyProtocol) },
      { name: 'MAILCLUSTER_MAX_MESSAGE_BYTES', value: String(smtp.maxMessageBytes) },
      { name: 'MAILCLUSTER_TLS_CERT_FILE', value: '/etc/mailcluster/tls/tls.crt' },
      { name: 'MAILCLUSTER_TLS_KEY_FILE', value: '/etc/mailcluster/tls/tls.key' },
      { name: 'MAILCLUSTER_DRAIN_TIMEOUT_MS', value: String(DRAIN_SECONDS * 1000) },
      { name: 'MAILCLUSTER_OUTBOUND_ENABLED', value: String(cluster.spec.outbound.enabled) },
      ...(smtp.submission
        ? [
            { name: 'MAILCLUSTER_SUBMISSION_LISTEN', value: `0.0.0.0:${PORTS.submission}` },
            { name: 'MAILCLUSTER_SUBMISSION_SERVICE_PASSWORD', valueFrom: { secretKeyRef: { name: names.submission, key: 'password' } } },
          ]
        : []),
    ],
    mounts: [{ name: 'tls', mountPath: '/etc/mailcluster/tls', readOnly: true }],
  });
  const service: Applied<V1Service> = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMeta(cluster, names.smtp, 'smtp-ingest', smtp.serviceAnnotations ? { annotations: smtp.serviceAnnotations } : {}),
    spec: {
      type: smtp.serviceType,
      ...(smtp.serviceType === 'ClusterIP' ? {} : { externalTrafficPolicy: smtp.externalTrafficPolicy }),
      selector: selectorLabels(cluster, 'smtp-ingest'),
      ports: [
        { name: 'smtp', port: 25, targetPort: 'smtp', protocol: 'TCP' },
        ...(smtp.submission ? [{ name: 'submission', port: 587, targetPort: 'submission', protocol: 'TCP' }] : []),
      ],
    },
  };
  const autoscaler: Applied<V2HorizontalPodAutoscaler> = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: ownedMeta(cluster, names.smtp, 'smtp-ingest'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: names.smtp },
      minReplicas: size.smtp.min,
      maxReplicas: size.smtp.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      // Scale down slowly: a removed pod drains its sessions first.
      behavior: { scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }] } },
    },
  };
  return [
    statefulSet(ctx, {
      name: names.smtp,
      headless: names.smtpHeadless,
      component: 'smtp-ingest',
      replicas: undefined,
      containers: [container],
      volumes: [...serviceVolumes(ctx), { name: 'tls', secret: { secretName: smtp.tlsSecretName ?? names.smtpTls } }],
      uid: UIDS.node,
      placement: smtp.placement,
      separateNodes: false,
      terminationGracePeriodSeconds: DRAIN_SECONDS + 15,
    }),
    headlessService(ctx, names.smtpHeadless, 'smtp-ingest', [{ name: 'smtp', port: PORTS.smtp }]),
    service,
    autoscaler,
    disruptionBudget(ctx, names.smtp, 'smtp-ingest'),
  ];
}
