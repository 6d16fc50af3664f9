#!/bin/sh
# The first of the two README commands: install dependencies, build, install
# and load the enforcer with the default policy. Run as root from the source tree.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make
make install
smtpguard load
smtpguard status
