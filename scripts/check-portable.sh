#!/bin/sh
# check-portable.sh BINARY [GLIBC_MAX]: is BINARY the portable build (make
# static)? Its only dynamic dependency is libc (the loader is its INTERP,
# not a NEEDED entry), and no symbol it takes from libc is newer than
# GLIBC_MAX (default 2.34: EL9; Ubuntu 22.04 has 2.35). One line and exit 1
# when not, so a build host with a newer glibc cannot ship a binary that
# fails to start on the oldest target; exit 2 on a usage error.
set -eu
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: check-portable.sh BINARY [GLIBC_MAX]" >&2; exit 2; }
bin=$1 max=${2:-2.34}
[ -f "$bin" ] || { echo "check-portable: $bin: no such file" >&2; exit 2; }

needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | tr '\n' ' ')
extra=$(printf '%s\n' $needed | grep -v -x -e 'libc\.so\.6' -e 'ld-linux-.*\.so\.[0-9]' || true)
if [ -n "$extra" ]; then
	echo "check-portable: $bin needs $(printf "%s " $extra | sed "s/ $//") besides libc (link it with make static)" >&2
	exit 1
fi
newest=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -uV | tail -n 1)
if [ -n "$newest" ] && [ "$(printf '%s\n%s\n' "$newest" "$max" | sort -V | tail -n 1)" != "$max" ]; then
	syms=$(objdump -T "$bin" | awk -v v="GLIBC_$newest" '$0 ~ "[ (]" v "[) ]" { print $NF }' | sort -u | tr '\n' ' ')
	echo "check-portable: $bin needs GLIBC_$newest (${syms% }), newer than $max: avoid those symbols or build on an older glibc" >&2
	exit 1
fi
