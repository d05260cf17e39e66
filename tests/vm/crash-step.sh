# shellcheck shell=bash
# tests/vm/crash-step.sh: guest side of the crash, plug-pull, concurrency and
# hostile-input scenarios (tests/vm/t2*-*). Delivered on the step disk with
# the shim (tests/vm/crash-lib.sh: crash_boot) and sourced by the step:
#   . /run/nli-step/crash-step.sh
# The helpers of guest/step-lib.sh (cap, region_info, labelless_live...) are
# there already.
#
#   crash_run NAME [VAR=VALUE...] [-- ARGS...]
#       run nvdimm-label-init --log=journal ARGS under the shim configured by
#       the VAR=VALUE words (NLI_SHIM_KILL=..., NLI_SHIM_SLEEP=...), and
#       capture: NAME (output, exit status), NAME_trace (the shim's trace),
#       NAME_journal (the journal since the run started), then the state
#       (crash_snapshot NAME_, with the label indexes when the run was killed)
#   crash_snapshot PREFIX [index]
#                           regions (PREFIXrinfo, PREFIXregions: ndctl list -R,
#                           PREFIXrstate), dimms (PREFIXnmem, and with "index"
#                           PREFIXindex), stamp (PREFIXstamp), state directory
#                           listing (PREFIXstatedir)
#   crash_check_capture     after a boot: the unit (unit, unitlog), the
#                           program's journal (journal) and crash_snapshot now_
#   crash_reset             make every region label-less again, live, with
#                           the unit masked from then on (the dimms' device
#                           events would start it: the scenario runs the
#                           program itself)
#   shim_unit VAR=VALUE...  run the unit under the shim from now on (runtime
#                           drop-in, gone at the next boot; the shim may write
#                           marks to /dev/ttyS1)
#   region_state            "regionN enabled|disabled", one a line
#   label_index             "nmemN valid|invalid": a valid label index is on
#                           the dimm (ndctl check-labels)

CRASH_SHIM=/run/nli-step/nli-crash-shim.so
CRASH_STATE=/var/lib/nvdimm-label-init

region_state() {
	local r
	for r in /sys/bus/nd/devices/region*; do
		[ -e "$r" ] || continue
		if [ -e "$r/driver" ]; then
			echo "${r##*/} enabled"
		else
			echo "${r##*/} disabled"
		fi
	done
}

label_index() {
	local d
	for d in /sys/bus/nd/devices/nmem*; do
		[ -e "$d" ] || continue
		if ndctl check-labels "${d##*/}" >/dev/null 2>&1; then
			echo "${d##*/} valid"
		else
			echo "${d##*/} invalid"
		fi
	done
}

crash_snapshot() {
	local p=$1
	cap "${p}rinfo" region_info
	cap "${p}regions" ndctl list -R
	cap "${p}rstate" region_state
	cap "${p}nmem" nmem_info
	# ndctl check-labels per dimm is slow under TCG: only where asked for.
	[ "${2:-}" != index ] || cap "${p}index" label_index
	cap "${p}stamp" cat "$CRASH_STATE/stamp"
	cap "${p}statedir" ls -A "$CRASH_STATE"
}

crash_check_capture() {
	cap unit unit_props nvdimm-label-init.service
	cap unitlog journalctl -b -u nvdimm-label-init.service --no-pager -o short-monotonic
	cap journal prog_journal
	crash_snapshot now_
}

crash_run() {
	local name=$1 envs=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	rm -f "/run/nli-shim.$name"
	journal_mark
	cap "$name" env LD_PRELOAD="$CRASH_SHIM" NLI_SHIM_TRACE="/run/nli-shim.$name" "${envs[@]}" \
		nvdimm-label-init --log=journal "$@"
	cap "${name}_trace" cat "/run/nli-shim.$name"
	cap "${name}_journal" prog_journal_since
	# A killed run's trace ends with the shim's "kill" line.
	if tail -n1 "/run/nli-shim.$name" 2>/dev/null | grep -q ' kill$'; then
		crash_snapshot "${name}_" index
	else
		crash_snapshot "${name}_"
	fi
}

crash_reset() {
	local nmems
	systemctl mask --runtime nvdimm-label-init.service >/dev/null 2>&1
	nmems=$(find /sys/bus/nd/devices/ -maxdepth 1 -name 'nmem*' -printf '%f\n' | sort)
	# shellcheck disable=SC2086 # one word per dimm
	labelless_live $nmems
}

shim_unit() {
	local d=/run/systemd/system/nvdimm-label-init.service.d
	mkdir -p "$d"
	{
		echo '[Service]'
		printf 'Environment=LD_PRELOAD=%s' "$CRASH_SHIM"
		printf ' "%s"' "$@"
		echo
		echo 'DeviceAllow=/dev/ttyS1 w'
	} >"$d/50-nli-crash-shim.conf"
	systemctl daemon-reload
}

export -f region_state label_index crash_snapshot crash_check_capture crash_run crash_reset shim_unit
