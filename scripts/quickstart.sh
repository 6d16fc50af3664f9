#!/bin/sh
# The first of the two README commands: install dependencies, build, install,
# load the enforcer with the default policy now and at every boot
# (smtpguard.service enabled where systemd is PID 1; elsewhere one line says
# what to do), then show its status. Run as root from the source tree.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
make
make install
scripts/load-at-boot.sh
smtpguard status
