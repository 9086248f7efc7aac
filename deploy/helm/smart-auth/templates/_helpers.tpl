{{/* Only Go text/template built-ins here: the test suite renders with the Go engine, without Sprig. */}}
{{- define "smart-auth.labels" }}
    app.kubernetes.io/name: smart-auth
    app.kubernetes.io/instance: {{ .Release.Name }}
    app.kubernetes.io/version: {{ printf "%q" .Chart.AppVersion }}
    app.kubernetes.io/managed-by: {{ .Release.Service }}
    helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}
{{- define "smart-auth.tag" }}{{ if .Values.image.tag }}{{ .Values.image.tag }}{{ else }}{{ .Chart.AppVersion }}{{ end }}{{ end }}
{{- define "smart-auth.secretName" }}{{ if .Values.secrets.existingSecret }}{{ .Values.secrets.existingSecret }}{{ else }}{{ .Release.Name }}-smart-auth{{ end }}{{ end }}
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
        app.kubernetes.io/version: {{ printf "%q" .Chart.AppVersion }}
        app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{- /* A value as one line of JSON-style YAML flow (Go's %q quoting is valid YAML double-quoted), for the clients file. */}}
{{- define "smart-auth.flow" }}
{{- $type := printf "%T" . }}
{{- if eq $type "map[string]interface {}" }}{ {{- $first := true }}{{- range $k, $v := . }}{{ if not $first }}, {{ end }}{{ $first = false }}{{ printf "%q" $k }}: {{ template "smart-auth.flow" $v }}{{ end }}}
{{- else if eq $type "[]interface {}" }}[{{ range $i, $v := . }}{{ if $i }}, {{ end }}{{ template "smart-auth.flow" $v }}{{ end }}]
{{- else if eq $type "string" }}{{ printf "%q" . }}
{{- else if eq $type "<nil>" }}null
{{- else }}{{ print . }}
{{- end }}
{{- end }}
