#!/usr/bin/env bash
# Prints the Debian mirror this machine's apt sources already use (the first URI that serves the
# "debian" archive), so that lines we add for other suites (bookworm-backports, the forky test bed)
# go to the same place. Exits 1 when there is none.
set -eu  # no pipefail: awk stops reading at the first match, which is not a failure
{
  # deb822 sources: "URIs: http://host/debian" lines
  grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -E 's/^URIs:[[:space:]]*//' | tr ' ' '\n'
  # one-line sources: "deb [opts] http://host/debian suite comp"
  grep -hsE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | sed -E 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1}'
} | awk '/^https?:\/\// && /\/debian\/?$/ { sub(/\/$/, ""); print; found = 1; exit } END { exit !found }'
