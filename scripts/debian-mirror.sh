#!/usr/bin/env bash
# Prints the Debian mirror this machine's apt sources already use (the first URI that serves the
# "debian" archive), so that lines we add for other suites (bookworm-backports, the forky test bed)
# go to the same place. Exits 1 when there is none.
set -euo pipefail
{
  # deb822 sources: "URIs: http://host/debian" lines
  grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -E 's/^URIs:[[:space:]]*//' | tr ' ' '\n'
  # one-line sources: "deb [opts] http://host/debian suite comp"
  grep -hsE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | sed -E 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1}'
} | grep -E '^https?://' | grep -E '/debian/?$' | head -n1 | sed -E 's#/$##' | grep . || exit 1
