# shellcheck shell=bash
# Helpers for test steps run inside the guest (tests/vm/guest/run-step
# sources this before the step script). Output goes to the results serial
# port and is parsed on the host by vm_out / vm_rc (tests/vm/lib.sh).

# cap NAME CMD [ARG...]: run CMD, record its output (stdout and stderr) and
# its exit status under NAME.
cap() {
	local name=$1 rc
	shift
	printf '@@@BEGIN %s\n' "$name"
	"$@" 2>&1
	rc=$?
	printf '\n@@@END %s %d\n' "$name" "$rc"
	return 0
}

# capsh NAME 'shell code': like cap, for a shell snippet.
capsh() {
	cap "$1" bash -c "$2"
}

# note TEXT: a free-form line for the host log.
note() {
	printf '@@@NOTE %s\n' "$*"
}

# journal_sync: make journald write out everything received so far.
journal_sync() {
	journalctl --sync >/dev/null 2>&1 || true
}

# unit_props UNIT: the systemctl show properties the tests look at.
unit_props() {
	systemctl show "$1" -p Result -p ExecMainStatus -p ActiveState \
		-p SubState -p LoadState -p UnitFileState \
		-p ExecMainStartTimestampMonotonic -p ExecMainExitTimestampMonotonic \
		-p InactiveExitTimestampMonotonic -p InactiveEnterTimestampMonotonic
}

# prog_journal: the program's journal records of this boot, one JSON object
# per line.
prog_journal() {
	journal_sync
	journalctl -b -o json --no-pager SYSLOG_IDENTIFIER=nvdimm-label-init
}

# wait_nvdimm [SECONDS]: wait for udev to settle (regions probed).
wait_nvdimm() {
	udevadm settle -t "${1:-60}" >/dev/null 2>&1 || true
}

# nmem_info: one line per dimm: name, flags, state, unique id (sysfs).
nmem_info() {
	local d
	for d in /sys/bus/nd/devices/nmem*; do
		[ -e "$d" ] || continue
		printf '%s flags=%s state=%s id=%s\n' "${d##*/}" \
			"$(tr '\n' ' ' <"$d/flags" 2>/dev/null | sed 's/ *$//')" \
			"$(cat "$d/state" 2>/dev/null)" \
			"$(cat "$d/nfit/id" 2>/dev/null)"
	done
}

# std_capture [PREFIX]: the state the scenarios look at, under section
# names PREFIX + regions / dimms / namespaces / nmem / unit / stamp /
# journal.
std_capture() {
	local p=${1:-}
	cap "${p}regions" ndctl list -R
	cap "${p}dimms" ndctl list -D
	cap "${p}namespaces" ndctl list -N -i
	cap "${p}nmem" nmem_info
	cap "${p}unit" unit_props nvdimm-label-init.service
	cap "${p}stamp" cat /var/lib/nvdimm-label-init/stamp
	cap "${p}journal" prog_journal
}
