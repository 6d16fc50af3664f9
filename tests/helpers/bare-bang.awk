# Lints bats files: reports each line that starts with a bare `! CMD` but is
# not the last command of its @test or function. bats runs tests with
# `set -e`, and bash's errexit ignores a pipeline negated with `!`, so such a
# line can never fail its test: use `run ! CMD`, or `run CMD` and check
# $status/$output. A `! CMD || ...` line handles the result itself and
# passes. Blank and comment lines do not count as commands.
# Here-documents are text, not commands, and are skipped.
#   awk -f bare-bang.awk FILE...  -> FILE:LINE: TEXT per finding; exit 1 if any
FNR == 1 { inblock = 0; pending = ""; heredoc = "" }
heredoc != "" {
	line = $0
	if (strip_tabs)
		sub(/^\t+/, "", line)
	if (line == heredoc)
		heredoc = ""
	next
}
/^(@test .*|[A-Za-z_][A-Za-z0-9_-]*[ \t]*\(\))[ \t]*\{[ \t]*$/ { inblock = 1; pending = ""; next }
inblock && /^}/ { inblock = 0; pending = ""; next }
inblock {
	if ($0 ~ /^[ \t]*(#.*)?$/)
		next
	if (pending != "") {
		print pending
		bad++
	}
	pending = ""
	if ($0 ~ /^[ \t]*![ \t]/ && $0 !~ /\|\|/)
		pending = FILENAME ":" FNR ": " $0
}
# a here-document starts after this line: <<WORD, <<'WORD', <<-"WORD" (not <<<)
match($0, /(^|[^<])<<-?[ \t]*['"]?[A-Za-z_][A-Za-z0-9_]*['"]?/) {
	heredoc = substr($0, RSTART, RLENGTH)
	sub(/^[^<]*<</, "", heredoc)
	strip_tabs = sub(/^-/, "", heredoc)
	gsub(/[ \t'"]/, "", heredoc)
}
END { exit bad ? 1 : 0 }
