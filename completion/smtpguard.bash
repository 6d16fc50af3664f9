# bash completion for smtpguard(8)                       -*- shell-script -*-
# Commands, options (before or after the command), files for --config and
# check-config FILE and import-csf FILE, --output, directories for --cgroup
# and --pin-dir, accounts for --user/--group.

_smtpguard()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null 2>&1; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local commands="load reload unload status check-config stats log monitor explain import-csf help version"
	local global="--config --cgroup --pin-dir --help --version"

	case $prev in
	-c | --config | --output)
		_smtpguard_files
		return
		;;
	--user)
		COMPREPLY=($(compgen -u -- "$cur"))
		return
		;;
	--cgroup | --pin-dir)
		_smtpguard_dirs
		return
		;;
	--top)
		COMPREPLY=($(compgen -W "5 10 20 50 100" -- "$cur"))
		return
		;;
	--user)
		COMPREPLY=($(compgen -u -- "$cur"))
		return
		;;
	--group)
		COMPREPLY=($(compgen -g -- "$cur"))
		return
		;;
	--cgroup-path)
		return
		;;
	esac

	# The command is the first word that is neither an option nor the
	# value of one.
	local i w cmd=""
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		-c | --config | --cgroup | --pin-dir | --top | --output | --user | --group | --cgroup-path) ((i++)) ;;
		-*) ;;
		*)
			cmd=$w
			break
			;;
		esac
	done

	if [[ $cur == -* ]]; then
		local opts=$global
		case $cmd in
		status | check-config) opts+=" --json" ;;
		log) opts+=" --json --user --since-load" ;;
		monitor) opts+=" --output" ;;
		stats) opts+=" --json --prometheus --top --user --output --reset" ;;
		explain) opts+=" --json --user --group --cgroup-path" ;;
		esac
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi

	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
	elif [[ $cmd == check-config || $cmd == import-csf ]]; then
		_smtpguard_files
	fi
}

_smtpguard_files()
{
	if declare -F _filedir >/dev/null 2>&1; then
		_filedir
	else
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}

_smtpguard_dirs()
{
	if declare -F _filedir >/dev/null 2>&1; then
		_filedir -d
	else
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
	fi
}

complete -F _smtpguard smtpguard
# ex: filetype=sh
