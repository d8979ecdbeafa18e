#!/usr/bin/env bash
# kefu's whole test suite: formatting, vet, staticcheck, and every test.
# The store and API tests also run against PostgreSQL when
# KEFU_TEST_DATABASE_URL names a server (.ci/run sets it); without it they
# say they are skipped.
set -euo pipefail
cd "$(dirname "$0")"

STATICCHECK_VERSION=v0.8.2  # release 2026.2.2

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

step "mail servers for the end-to-end email test"
# Dovecot (IMAP, LMTP) and Postfix (SMTP) from Debian's packages; the test
# configures and starts its own instances in a temporary folder.
if command -v dovecot >/dev/null && command -v postfix >/dev/null; then
  echo "dovecot and postfix are installed"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
  if apt-get install -y -qq dovecot-imapd dovecot-lmtpd postfix >/tmp/kefu-apt.log 2>&1 \
     || { apt-get update -qq && apt-get install -y -qq dovecot-imapd dovecot-lmtpd postfix; } >>/tmp/kefu-apt.log 2>&1; then
    echo "installed dovecot and postfix"
  else
    echo "NOTE: could not install dovecot and postfix (see /tmp/kefu-apt.log): the end-to-end email test will be SKIPPED"
  fi
else
  echo "NOTE: dovecot and postfix are missing and cannot be installed here: the end-to-end email test will be SKIPPED"
fi

step "go test"
go test -count=1 "$@" ./...

step "fuzz the email parser briefly (its corpus: internal/channel/email/testdata/fuzz)"
go test -run='^$' -fuzz=FuzzParse -fuzztime=10s ./internal/channel/email

step "browser tests (e2e/)"
./e2e/run.sh

echo
echo "all tests passed"
