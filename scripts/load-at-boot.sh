#!/bin/sh
# load-at-boot.sh: after `make install`, load smtpguard now and at every boot.
# Run as root; scripts/quickstart.sh runs it.
#  - systemd is PID 1 (sd_booted(3): /run/systemd/system exists):
#    daemon-reload so that systemd sees the unit `make install` just put
#    there, enable smtpguard.service (into sysinit.target: loaded at every
#    boot before the network) and start it (ExecStart= is `smtpguard load`;
#    so `systemctl reload/restart/stop` know it is loaded).
#  - otherwise nothing would load it at the next boot: load now and say so
#    in one line, with what to do.
# Test knobs: SMTPGUARD_SYSTEMD_RUNDIR (the directory whose existence means
# systemd is PID 1), SMTPGUARD (the smtpguard command to run).
set -eu
if [ -d "${SMTPGUARD_SYSTEMD_RUNDIR:-/run/systemd/system}" ]; then
	systemctl daemon-reload
	systemctl enable smtpguard.service
	systemctl start smtpguard.service
else
	${SMTPGUARD:-smtpguard} load
	echo "systemd is not PID 1 here: smtpguard will not be loaded at boot;" \
		"run 'smtpguard load' from your init system's boot scripts" >&2
fi
