{{- /*
Names, labels and the loader every template uses. Names are computed once, in
"mco.defaults", and written back into .Values: templates and files only read them.
*/}}

{{- define "mco.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- /* "<release>-<chart>", or the release name when it already contains the chart name. */}}
{{- define "mco.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- /* Fills in every name left empty in values; idempotent, called first by each template. */}}
{{- define "mco.defaults" -}}
{{- if not .mcoDefaultsSet }}
{{- $full := include "mco.fullname" . }}
{{- with .Values }}
{{- $_ := set .deployment "name" (.deployment.name | default $full) }}
{{- $_ := set .serviceAccount "name" (.serviceAccount.name | default $full) }}
{{- $_ := set .rbac "name" (.rbac.name | default $full) }}
{{- $_ := set .metricsService "name" (.metricsService.name | default (printf "%s-metrics" $full)) }}
{{- $_ := set .serviceMonitor "name" (.serviceMonitor.name | default $full) }}
{{- $_ := set .podMonitor "name" (.podMonitor.name | default (printf "%s-mail" $full)) }}
{{- $_ := set .prometheusRule "name" (.prometheusRule.name | default (printf "%s-mail" $full)) }}
{{- $_ := set .podDisruptionBudget "name" (.podDisruptionBudget.name | default $full) }}
{{- $_ := set .config.leaderElection "leaseName" (.config.leaderElection.leaseName | default $full) }}
{{- end }}
{{- if and .Values.mailCluster.enabled .Values.config.watchNamespaces (not (has .Release.Namespace .Values.config.watchNamespaces)) }}
{{- fail (printf "mailCluster.enabled makes a MailCluster in %s, but config.watchNamespaces (%s) does not include it: the operator would never see it" .Release.Namespace (join ", " .Values.config.watchNamespaces)) }}
{{- end }}
{{- $_ := set . "mcoDefaultsSet" true }}
{{- end }}
{{- end }}

{{- define "mco.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mco.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- /* Labels of every object the release makes. */}}
{{- define "mco.releaseLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/part-of: mailcluster
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- /* Labels of the operator's own objects. */}}
{{- define "mco.labels" -}}
{{ include "mco.releaseLabels" . }}
{{ include "mco.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
{{- end }}

{{- /* "name: value" or "name: {valueFrom: ...}" pairs as a container's env list, sorted by name. */}}
{{- define "mco.env" -}}
{{- range $name, $value := . }}
{{- if kindIs "map" $value }}
- {{ merge (dict "name" $name) $value | toYaml | nindent 2 | trim }}
{{- else }}
- name: {{ $name | quote }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}
{{- end }}

{{- /*
mco.render: one object, as YAML.
input: dict with
  file:  a manifest under files/, rendered with tpl in the chart's context
  ctx:   the chart's context ($)
  merge: a map deep-merged into the result
  patch: a JSON Patch applied last (mco.jsonPatch)
*/}}
{{- define "mco.render" -}}
{{- $doc := tpl (.ctx.Files.Get (printf "files/%s" .file)) .ctx | fromYaml }}
{{- if hasKey $doc "Error" }}
{{- fail (printf "files/%s does not render to YAML: %s" .file $doc.Error) }}
{{- end }}
{{- $doc = mergeOverwrite $doc (deepCopy (.merge | default dict)) }}
{{- get (include "mco.jsonPatch" (dict "doc" $doc "patch" (.patch | default list)) | fromJson) "doc" | toYaml }}
{{- end }}
