# shellcheck shell=bash
# tests/vm/crash-lib.sh: host side of the crash, plug-pull, concurrency and
# hostile-input scenarios (tests/vm/t2*-*). Sourced after tests/vm/lib.sh.
#
#   crash_init NAME          vm_init NAME, vm_require_project, and build the
#                            LD_PRELOAD shim (tests/vm/shim/nli-crash-shim.c)
#                            with the host's gcc: the host and the guest are
#                            the same Debian release, so the same libc
#   crash_boot_ok DESC [vm_boot args...] STEP
#                            vm_boot_ok with the shim and crash-step.sh on the
#                            step disk (/run/nli-step/ in the guest)
#   crash_calls SECTION FUNC the objects of FUNC's calls in a shim trace, in
#                            order, one a line
#   crash_regions [PREFIX]   the regions of a snapshot (PREFIXrinfo)
#   crash_rstate REGION [PREFIX]   enabled|disabled
#   crash_index NMEM [PREFIX]      valid|invalid (label index on the dimm)
#   crash_stamp_pending [SECTION]  dimm ids marked pending (or pending-lost)
#                            in a stamp, sorted, on one line
#   crash_converged WHAT [PREFIX]  assertions: every region enabled and
#                            labelled with its full space, the stamp truthful
#                            (header, no pending mark, every dimm recorded
#                            labelled), no stamp temporary left

CRASH_SHIM_SO=

crash_init() {
	vm_init "$1"
	vm_require_project
	command -v gcc >/dev/null 2>&1 || skip_all "gcc not found (apt-get install gcc): needed for the LD_PRELOAD shim"
	CRASH_SHIM_SO=$VM_WORK/nli-crash-shim.so
	if ! gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$CRASH_SHIM_SO" \
		"$VM_LIBDIR/shim/nli-crash-shim.c" -ldl 2>"$VM_WORK/shim.log"; then
		diag_file "$VM_WORK/shim.log"
		bail_out "cannot build the LD_PRELOAD shim"
	fi
}

crash_boot_ok() {
	local desc=$1
	shift
	vm_boot_ok "$desc" --file "$CRASH_SHIM_SO" --file "$VM_LIBDIR/crash-step.sh" "$@"
}

crash_calls() {
	vm_out "$1" | awk -v f="$2" '$1 == "nli-shim:" && $3 == f && $6 == "enter" { print $5 }'
}

crash_regions() {
	vm_out "${1:-}rinfo" | awk '/^region/ { print $1 }'
}

crash_rstate() {
	vm_out "${2:-}rstate" | awk -v r="$1" '$1 == r { print $2 }'
}

crash_index() {
	vm_out "${2:-}index" | awk -v n="$1" '$1 == n { print $2 }'
}

crash_stamp_pending() {
	vm_out "${1:-stamp}" | awk '$1 == "dimm" && ($3 == "pending" || $3 == "pending-lost") { print $2 }' | sort | tr '\n' ' ' | sed 's/ $//'
}

# jids MESSAGE_ID: the NVDIMM_IDs of those records, sorted, on one line.
jids() { vm_jfield "$1" NVDIMM_ID | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# crash_ids [PREFIX]: the dimm ids of a snapshot, sorted.
crash_ids() {
	vm_out "${1:-}rinfo" | awk '/^region/ { for (i = 2; i <= NF; i++) if (index($i, "id=") == 1) print substr($i, 4) }' |
		tr ',' '\n' | sort
}

crash_converged() {
	local what=$1 p=${2:-} r bad='' ids id st missing=''
	for r in $(crash_regions "$p"); do
		if [ "$(crash_rstate "$r" "$p")" != enabled ] || [ "$(vm_rinfo "$r" nstype "${p}rinfo")" != 5 ] ||
			[ "$(vm_ndctl_avail "$r" "${p}regions")" != "$(vm_aligned "$r" "${p}rinfo")" ]; then
			bad="$bad $r"
		fi
	done
	if [ -z "$bad" ] && [ -n "$(crash_regions "$p")" ]; then
		ok "$what: every region enabled and labelled with its full space ($(crash_regions "$p" | tr '\n' ' '| sed 's/ $//'))"
	else
		not_ok "$what: every region enabled and labelled with its full space"
		diag "  not so:${bad:- (no region)}"
		vm_out "${p}rstate" | diag_stdin
		vm_out "${p}rinfo" | diag_stdin
	fi
	ids=$(crash_ids "$p")
	for id in $ids; do
		st=$(vm_stamp "$id" "${p}stamp")
		[[ "$st" =~ ^labelled\ [0-9]+$ ]] || missing="$missing $id:'$st'"
	done
	if [ "$(vm_out "${p}stamp" | head -n1)" = "$VM_STAMP_HEADER" ] && [ -z "$missing" ] &&
		[ -z "$(crash_stamp_pending "${p}stamp")" ]; then
		ok "$what: stamp truthful (every dimm labelled, no pending mark)"
	else
		not_ok "$what: stamp truthful (every dimm labelled, no pending mark)"
		diag "  wrong entries:${missing:- none}"
		vm_out "${p}stamp" | diag_stdin
	fi
	if [ -n "$p" ] && vm_has "${p}statedir"; then
		unlike "$(vm_out "${p}statedir" | tr '\n' ' ')" '\.stamp\.tmp' "$what: no stamp temporary left in the state directory"
	fi
}
