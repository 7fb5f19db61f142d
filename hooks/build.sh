#!/usr/bin/env sh
# ask-cli's custom build flow: `ask deploy` runs `hooks/build.sh <zip file to write> <debug>` in place of npm,
# from a copy of the code folder (.ask/aws), and deploys the zip it names. The function's package is built
# from the project itself: lambda.ts and what it imports, bundled into one file (tools/build/lambda-package.ts).
set -eu
zip_file="$1"
debug="${2:-false}"
case "$zip_file" in
  /*) ;;
  *) zip_file="$(pwd)/$zip_file" ;;
esac
cd "$(dirname "$0")/.."
exec node --require ts-node/register/transpile-only tools/build/lambda-package.ts "$zip_file" "$debug"
