{{/* Shared pieces. Helm's own functions (Sprig: required, toYaml, nindent, sha256sum, …) are used as any chart uses them. */}}
{{- define "smart-auth.labels" }}
    app.kubernetes.io/name: smart-auth
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
    app.kubernetes.io/managed-by: {{ .Release.Service }}
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
{{- define "smart-auth.selectorLabels" -}}
app.kubernetes.io/name: smart-auth
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
{{- define "smart-auth.tag" }}{{ default .Chart.AppVersion .Values.image.tag }}{{ end }}
{{/* The suite's one image (every service, the migration job and the test pod; the command picks what runs): repository@digest when image.digest is set, else repository:tag. */}}
{{- define "smart-auth.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ include "smart-auth.tag" . }}
{{- end -}}
{{- end }}
{{- define "smart-auth.secretName" }}{{ default (printf "%s-smart-auth" .Release.Name) .Values.secrets.existingSecret }}{{ end }}
{{- define "smart-auth.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (printf "%s-smart-auth" .Release.Name) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end }}
{{- define "smart-auth.podSecurityContext" }}
      securityContext:
        runAsNonRoot: true
        runAsUser: {{ .Values.podSecurityContext.runAsUser }}
        runAsGroup: {{ .Values.podSecurityContext.runAsGroup }}
        fsGroup: {{ .Values.podSecurityContext.fsGroup }}
        seccompProfile:
          type: RuntimeDefault
{{- end }}
{{- define "smart-auth.containerSecurityContext" }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities:
              drop: ["ALL"]
{{- end }}
{{- define "smart-auth.imagePullSecrets" }}
{{- if .Values.imagePullSecrets }}
      imagePullSecrets:
{{- range .Values.imagePullSecrets }}
        - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}
{{- define "smart-auth.podLabels" }}
        app.kubernetes.io/name: smart-auth
        app.kubernetes.io/instance: {{ .Release.Name }}
        app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
        app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{/*
Scheduling of one pod template: .root (the chart's context), .svc (the service's values, or the
migrations' values), .component, .replicated. A service's own nodeSelector, tolerations, affinity,
topologySpreadConstraints and priorityClassName replace the global ones; without either, a replicated
service spreads over zones and hosts (whenUnsatisfiable: ScheduleAnyway, so a one-zone cluster still schedules).
*/}}
{{- define "smart-auth.scheduling" -}}
{{- $v := .root.Values -}}
{{- $nodeSelector := default $v.nodeSelector .svc.nodeSelector -}}
{{- $tolerations := default $v.tolerations .svc.tolerations -}}
{{- $affinity := default $v.affinity .svc.affinity -}}
{{- $spread := default $v.topologySpreadConstraints .svc.topologySpreadConstraints -}}
{{- $priority := default $v.priorityClassName .svc.priorityClassName -}}
{{- if $nodeSelector }}
      nodeSelector: {{- toYaml $nodeSelector | nindent 8 }}
{{- end }}
{{- if $tolerations }}
      tolerations: {{- toYaml $tolerations | nindent 8 }}
{{- end }}
{{- if $affinity }}
      affinity: {{- toYaml $affinity | nindent 8 }}
{{- end }}
{{- if $spread }}
      topologySpreadConstraints: {{- toYaml $spread | nindent 8 }}
{{- else if and .replicated $v.defaultTopologySpread }}
      topologySpreadConstraints:
{{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
        - maxSkew: 1
          topologyKey: {{ . }}
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels: {{- include "smart-auth.selectorLabels" $.root | nindent 14 }}
              app.kubernetes.io/component: {{ $.component }}
{{- end }}
{{- end }}
{{- if $priority }}
      priorityClassName: {{ $priority }}
{{- end }}
{{- end }}
