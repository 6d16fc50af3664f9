# make check-kernels: the core enforcement suite on a second kernel, Debian
# 12's stock one, booted under qemu (TCG) over this host's / read-only
# (tests/kernels/run-qemu.sh). SG_KERNEL_TESTS="tests/integration/X.bats ..."
# picks other bats files. Exit 77 of the script (qemu or the kernel package
# cannot be had) is a failure here; .ci/run reports it as a skip.
.PHONY: check-kernels
check-kernels: smtpguard unit-tests helpers
	tests/kernels/run-qemu.sh
