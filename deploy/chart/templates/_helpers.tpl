{{/* Labels on every object: the manifests' app.kubernetes.io/name plus what Helm users look for. Pod
templates and selectors carry only the manifests' labels, so a release and a kubectl install select
the same Pods (selectors are immutable). */}}
{{- define "ironlb.labels" -}}
app.kubernetes.io/name: ironlb
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "ironlb.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* A container's image, pull policy when set, and the --lb-class argument when set; given the root. */}}
{{- define "ironlb.pullPolicy" -}}
{{- with .Values.image.pullPolicy }}
imagePullPolicy: {{ . }}
{{- end }}
{{- end }}

{{- define "ironlb.lbClassArg" -}}
{{- with .Values.loadBalancerClass }}, {{ printf "--lb-class=%s" . | quote }}{{ end }}
{{- end }}

{{/* kubernetes.io/os: linux, as the manifests, with the user's selector merged over it. */}}
{{- define "ironlb.nodeSelector" -}}
{{- toYaml (merge (deepCopy .) (dict "kubernetes.io/os" "linux")) }}
{{- end }}
