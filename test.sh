#!/usr/bin/env bash
# kefu's whole test suite: formatting, vet, staticcheck, and every test.
# The store and API tests also run against PostgreSQL when
# KEFU_TEST_DATABASE_URL names a server (.ci/run sets it); without it they
# say they are skipped.
set -euo pipefail
cd "$(dirname "$0")"

STATICCHECK_VERSION=2026.2.2

step() { printf '\n==> %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './e2e/node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet"
go vet ./...

step "staticcheck $STATICCHECK_VERSION"
go run "honnef.co/go/tools/cmd/staticcheck@$STATICCHECK_VERSION" ./...

step "build with CGO_ENABLED=0"
CGO_ENABLED=0 go build -o /dev/null ./cmd/kefu

if [ -z "${KEFU_TEST_DATABASE_URL:-}" ]; then
  echo
  echo "NOTE: KEFU_TEST_DATABASE_URL is not set: the PostgreSQL half of the store and API"
  echo "      tests will be SKIPPED. Set it (e.g. postgres://postgres@127.0.0.1:5432/test) to run them."
fi

step "go test"
go test -count=1 "$@" ./...

step "browser tests (e2e/)"
./e2e/run.sh

echo
echo "all tests passed"
