{{- /*
mco.jsonPatch: applies a JSON Patch (RFC 6902) to a document: the operations add, replace and
remove, paths with ~0/~1 escapes, "-" for the end of a list. Anything else fails the render with
the operation's index, so a typo in values never passes silently.
input:  dict "doc" <map> "patch" <list of {op, path, value}>
output: JSON {"doc": <the patched document>}
*/}}
{{- define "mco.jsonPatch" -}}
{{- $doc := .doc }}
{{- range $i, $op := .patch }}
{{- if not (kindIs "map" $op) }}
{{- fail (printf "patch[%d]: expected {op, path, value}, got %v" $i $op) }}
{{- end }}
{{- if not (has $op.op (list "add" "replace" "remove")) }}
{{- fail (printf "patch[%d]: op must be add, replace or remove, not %v" $i $op.op) }}
{{- end }}
{{- if and (ne $op.op "remove") (not (hasKey $op "value")) }}
{{- fail (printf "patch[%d]: %s needs a value" $i $op.op) }}
{{- end }}
{{- $path := $op.path | default "" | toString }}
{{- if or (not (hasPrefix "/" $path)) (eq $path "/") }}
{{- fail (printf "patch[%d]: path %q must start with / and name a field" $i $path) }}
{{- end }}
{{- $tokens := list }}
{{- range (splitList "/" (trimPrefix "/" $path)) }}
{{- $tokens = append $tokens (. | replace "~1" "/" | replace "~0" "~") }}
{{- end }}
{{- $doc = get (include "mco.patchNode" (dict "node" $doc "tokens" $tokens "op" $op "where" (printf "patch[%d] %s" $i $path)) | fromJson) "doc" }}
{{- end }}
{{- toJson (dict "doc" $doc) }}
{{- end }}

{{- /* One step down the path: returns the node with the operation applied below it, as JSON {"doc": ...}. */}}
{{- define "mco.patchNode" -}}
{{- $node := .node }}
{{- $key := first .tokens }}
{{- $deeper := gt (len .tokens) 1 }}
{{- $op := .op }}
{{- if kindIs "map" $node }}
  {{- if and (or $deeper (ne $op.op "add")) (not (hasKey $node $key)) }}
    {{- fail (printf "%s: %q does not exist" .where $key) }}
  {{- end }}
  {{- if $deeper }}
    {{- $_ := set $node $key (get (include "mco.patchNode" (dict "node" (get $node $key) "tokens" (rest .tokens) "op" $op "where" .where) | fromJson) "doc") }}
  {{- else if eq $op.op "remove" }}
    {{- $_ := unset $node $key }}
  {{- else }}
    {{- $_ := set $node $key $op.value }}
  {{- end }}
{{- else if kindIs "slice" $node }}
  {{- $size := len $node }}
  {{- $index := $size }}
  {{- if ne $key "-" }}
    {{- $index = atoi $key }}
    {{- if ne (toString $index) $key }}
      {{- fail (printf "%s: %q is not a list index" .where $key) }}
    {{- end }}
  {{- end }}
  {{- $limit := ternary $size (sub $size 1) (and (eq $op.op "add") (not $deeper)) }}
  {{- if or (lt $index 0) (gt $index $limit) }}
    {{- fail (printf "%s: index %s is outside the list (%d items)" .where $key $size) }}
  {{- end }}
  {{- $before := slice $node 0 $index }}
  {{- if $deeper }}
    {{- $child := get (include "mco.patchNode" (dict "node" (index $node $index) "tokens" (rest .tokens) "op" $op "where" .where) | fromJson) "doc" }}
    {{- $node = concat $before (list $child) (slice $node (add1 $index)) }}
  {{- else if eq $op.op "remove" }}
    {{- $node = concat $before (slice $node (add1 $index)) }}
  {{- else if eq $op.op "replace" }}
    {{- $node = concat $before (list $op.value) (slice $node (add1 $index)) }}
  {{- else }}
    {{- $node = concat $before (list $op.value) (slice $node $index) }}
  {{- end }}
{{- else }}
  {{- fail (printf "%s: cannot go into %q of a %s" .where $key (kindOf $node)) }}
{{- end }}
{{- toJson (dict "doc" $node) }}
{{- end }}
