# shellcheck shell=bash disable=SC2154 # $work: set by the test that uses run
# tests/tap.sh: the TAP helpers of every shell test (sourced by the tests,
# tests/vm/lib.sh and tests/check-deb.test).
#
#   ok DESC / not_ok DESC        one test line
#   skip DESC REASON             one skipped test line (counted as skipped)
#   check DESC CMD...            ok when CMD succeeds, else not ok with its
#                                output as diagnostics
#   is GOT WANT DESC / like GOT ERE DESC / unlike GOT ERE DESC
#   diag TEXT...                 each non-empty TEXT as diagnostics
#   diag_file FILE [N]           the last N (30) lines of FILE as diagnostics
#   tap_done                     the plan and the counts; exit 1 on any not ok
#   lintian_ok DESC DEB [RUNNER...]  lintian --pedantic (under RUNNER, e.g. a
#                                chroot, if given) finds no error or warning
#                                in DEB; the tags it does find as diagnostics
#   skip_all REASON              "1..0 # SKIP REASON", exit 77
#   bail_out REASON              "Bail out! REASON", exit 1
# For tests of commands, with their output in $work/out and $work/err
# ($work: the test's scratch directory):
#   run CMD...                   run it, exit status in $status
#   status_is N / says TEXT      conditions on the last run
#   judge DESC                   ok when the command just before succeeded,
#                                else not ok with the last run's output

_tap_n=0
_tap_failed=0
_tap_skipped=0

ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}
not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $*"
}
skip() {
	_tap_n=$((_tap_n + 1))
	_tap_skipped=$((_tap_skipped + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}
diag() {
	local t
	for t; do
		[ -z "$t" ] || printf '%s\n' "$t"
	done | tr -d '\r' | sed 's/^/# /'
}
diag_file() {
	[ -f "$1" ] || return 0
	tail -n "${2:-30}" "$1" | tr -d '\r' | sed 's/^/#   /'
}
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		diag "$out"
	fi
}
is() {
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3"
		diag "  got:      '$1'" "  expected: '$2'"
	fi
}
like() { _tap_match yes "$@"; }
unlike() { _tap_match no "$@"; }
# _tap_match yes|no GOT ERE DESC: ok when GOT matching ERE is yes or no.
_tap_match() {
	local m=no want=want
	printf '%s\n' "$2" | grep -Eq -- "$3" && m=yes
	[ "$1" = yes ] || want="must not match"
	if [ "$m" = "$1" ]; then
		ok "$4"
	else
		not_ok "$4"
		diag "  got:  '$2'" "  $want: /$3/"
	fi
}
lintian_ok() {
	local desc=$1 deb=$2 out
	shift 2
	out=$("$@" lintian --display-info --pedantic "$deb" 2>&1 |
		grep -v -e '^N:' -e 'running with root privileges')
	if printf '%s\n' "$out" | grep -q '^[EW]:'; then
		not_ok "$desc"
	else
		ok "$desc"
	fi
	diag "$out"
}

tap_done() {
	echo "1..$_tap_n"
	echo "# $((_tap_n - _tap_failed - _tap_skipped)) passed, $_tap_failed failed, $_tap_skipped skipped"
	[ "$_tap_failed" -eq 0 ] && exit 0
	exit 1
}
skip_all() {
	echo "1..0 # SKIP $*"
	exit 77
}
bail_out() {
	echo "Bail out! $*"
	exit 1
}

run() {
	"$@" >"$work/out" 2>"$work/err"
	status=$?
}
status_is() { [ "$status" -eq "$1" ]; }
says() { grep -qF -- "$1" "$work/out" "$work/err"; }
judge() {
	local result=$?
	if [ "$result" -eq 0 ]; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/#   stdout: /' "$work/out"
		sed 's/^/#   stderr: /' "$work/err"
	fi
}
