import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

/**
 * Security contexts that pass Pod Security "restricted": non-root, no privilege escalation, no
 * capabilities, RuntimeDefault seccomp, read-only root file system (writable paths are emptyDirs).
 * Containers listen on unprivileged ports; Services map 25 and 587 onto them.
 */
export function podSecurity(uid: number): V1PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: 'RuntimeDefault' } };
}

export const CONTAINER_SECURITY: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

/** UIDs of the images: the node image's `node` user, MariaDB's `mysql`, an unprivileged one for NATS. */
export const UIDS = { node: 1000, mariadb: 999, nats: 1000 } as const;
