#!/bin/sh
# The "VS Code executable" that test/runIntegration hands to @vscode/test-electron's runTests on
# machines without a desktop VS Code: it runs the bundled harness with the same arguments.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
harness="$here/../../out/test/host/code-host.js"
if [ ! -f "$harness" ]; then
  echo "code-host: $harness is missing; build it with: node scripts/build.mjs tests" >&2
  exit 1
fi
exec node "$harness" "$@"
