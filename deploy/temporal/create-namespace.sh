#!/bin/sh
# One-shot, in temporalio/admin-tools: the namespace the API and the worker use (TEMPORAL_NAMESPACE), created once.
# The worker registers its own search attributes at start (worker/register-search-attributes.ts).
set -eu
namespace=${TEMPORAL_NAMESPACE:-default}
until temporal operator cluster health --address "$TEMPORAL_ADDRESS"; do
  echo "waiting for Temporal at $TEMPORAL_ADDRESS"
  sleep 2
done
temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$namespace" >/dev/null 2>&1 ||
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$namespace" --retention "${NAMESPACE_RETENTION:-30d}"
echo "namespace $namespace is there"
