#!/bin/bash
# tests/vm/bench-guest.sh: the guest side of tests/vm/bench. Not run on its
# own: tests/vm/bench prepends the parameters and boots it as the step of a
# guest run (tests/vm/guest/run-step sources it after the program's unit ran
# at boot, with the helpers of tests/vm/guest/step-lib.sh).
#
# Parameters (set by tests/vm/bench):
#   BENCH_N         number of NVDIMMs in this guest (one region each)
#   BENCH_REPS      repetitions of each measurement
#   BENCH_SEED      1: the seed layout's extra measurements: the unit
#                   without its hardening, the steady state, process
#                   start-up, the program's -v log kept whole
#   BENCH_HARDENING 1 (with BENCH_SEED): what each hardening setting of the
#                   unit costs and is worth (steady state, the unit as
#                   shipped without that setting, and its exposure score)
#   BENCH_TRACE     1: one traced run of the program and of the manual
#                   sequence, summarized here (the raw traces are megabytes,
#                   too much for the serial port)
#   BENCH_IDLE      1: this is the second boot of the seed layout, every
#                   dimm labelled and the stamp kept by the seed boot (a
#                   boot with nothing to do): only what of ours started
#                   during it, then BENCH_HOT dimms hot-added one at a time
#                   (hotplug_watch; the host times them)
#
# Every sample is a line on the results port:
#   @@@NOTE bench KIND rep=I wall_us=W run_us=R cpu_us=C user_us=U sys_us=S ok=0|1
#   @@@NOTE bench idle rep=0 procs=P journal_pids=J started=0|1 active_us=A ok=0|1
# (BENCH_IDLE: P processes of ours started during the boot: the PIDs of the
# journal records of ours, and the unit's main process if it ran; started:
# the unit left the inactive state; A: its active time, 0 if never).
# KIND: boot (the unit's run at boot), unit (systemctl start), bare (the
# same with a runtime drop-in that turns the unit's hardening off), direct
# (the binary run from this shell), manual (the seed's three ndctl commands
# per region), steady-unit, steady-bare, steady-direct, list (ndctl list
# -RD), version-prog, version-ndctl (process start-up: --version),
# hard-full, hard-bare, hard-KEY (steady-state unit: as shipped, without
# hardening, as shipped without the settings of group KEY), hard-nomount
# (as shipped without every setting that needs a mount namespace); and lines
#   @@@NOTE bench exposure hard-VARIANT SCORE
# (systemd-analyze security of that variant). run_us is the unit's
# ExecMainExitTimestampMonotonic - ExecMainStartTimestampMonotonic (unit
# kinds) or the wall time (others); cpu_us the CPU time of the run (the
# unit's CPUUsageNSec; user + system of the children of this shell), -1
# when unknown. ok=1 when every region was label-less before a first-boot
# run and is labelled after any run.
# shellcheck disable=SC2154 # BENCH_* and the step-lib.sh helpers come from outside

unit=nvdimm-label-init.service
prog=/usr/sbin/nvdimm-label-init
stamp=/var/lib/nvdimm-label-init/stamp
dropin=/run/systemd/system/$unit.d
T=/sys/kernel/tracing
# Times are taken without forking (no command substitution): ${EPOCHREALTIME}
# without its decimal point, in microseconds.

# tm_us 1m2.345s: TM_US, microseconds.
tm_us() {
	TM_US=0
	if [[ $1 =~ ^([0-9]+)m([0-9]+)[.,]([0-9]+)s$ ]]; then
		TM_US=$(((BASH_REMATCH[1] * 60 + 10#${BASH_REMATCH[2]}) * 1000000 + 10#${BASH_REMATCH[3]} * 1000))
	fi
}
# children_cpu: CHILD_USER and CHILD_SYS, the user and system time of this
# shell's finished children (bash's times). Builtins only: a command
# substitution here would be a child of its own and count.
children_cpu() {
	local line
	times >/run/nli-bench-times
	{
		read -r line
		read -r line
	} </run/nli-bench-times
	tm_us "${line%% *}"
	CHILD_USER=$TM_US
	tm_us "${line##* }"
	CHILD_SYS=$TM_US
}

# The region:nmem pairs (one dimm per region here), by region name.
pairs=$(for r in /sys/bus/nd/devices/region*; do
	[ -e "$r/mapping0" ] && echo "${r##*/}:$(cut -d, -f1 "$r/mapping0")"
done | sort -V)
nmems=$(for p in $pairs; do echo "${p#*:}"; done)

# count_nstype N: regions whose nstype is N (4 label-less, 5 labelled).
count_nstype() {
	local r n=0
	for r in /sys/bus/nd/devices/region*; do
		[ "$(cat "$r/nstype" 2>/dev/null)" = "$1" ] && n=$((n + 1))
	done
	echo "$n"
}
all_labelled() { [ "$(count_nstype 5)" = "$BENCH_N" ]; }

# labelless: every region label-less in the running guest, as on a first
# boot, with step-lib.sh's labelless_live (its arguments go to ndctl
# zero-labels), zeroing only the first 8 KiB of each label area: the two
# index blocks (2 x 2304 bytes for a 2 MiB area). The label slots behind
# them were never written (the program and init-labels write index blocks
# only), so the area is all zeros again, as in a fresh backing file; zeroing
# all of it costs 512 _DSM calls of 4 KiB per dimm, seconds per dimm under
# TCG.
labelless() {
	# shellcheck disable=SC2086 # one word per nmem
	labelless_live -s 8192 $nmems
}

# prep: every region label-less, as on a first boot, the stamp gone, the
# system quiet again.
prep() {
	labelless >/dev/null 2>&1
	wait_blockdevs "$BENCH_N" 60 || true
	udevadm settle -t 60 >/dev/null 2>&1
	rm -f "$stamp"
	sync
	sleep 1
	[ "$(count_nstype 4)" = "$BENCH_N" ]
}

# sample KIND REP WALL RUN CPU USER SYS OK
sample() {
	note "bench $1 rep=$2 wall_us=$3 run_us=$4 cpu_us=$5 user_us=$6 sys_us=$7 ok=$8"
}

# unit_sample KIND REP OK WALL: the unit's last run as a sample.
unit_sample() {
	local props s e cpu ok=$3
	props=$(systemctl show "$unit" -p ExecMainStartTimestampMonotonic \
		-p ExecMainExitTimestampMonotonic -p CPUUsageNSec -p Result)
	s=$(sed -n 's/^ExecMainStartTimestampMonotonic=//p' <<<"$props")
	e=$(sed -n 's/^ExecMainExitTimestampMonotonic=//p' <<<"$props")
	cpu=$(sed -n 's/^CPUUsageNSec=//p' <<<"$props")
	[[ $cpu =~ ^[0-9]+$ ]] && cpu=$((cpu / 1000)) || cpu=-1
	grep -q '^Result=success$' <<<"$props" || ok=0
	all_labelled || ok=0
	sample "$1" "$2" "$4" $((e - s)) "$cpu" -1 -1 "$ok"
}

# run_unit KIND REP OKBEFORE: systemctl start, the unit's own times.
run_unit() {
	local t0 t1 ok=$3
	t0=${EPOCHREALTIME//[.,]/}
	systemctl start "$unit" >/dev/null 2>&1 || ok=0
	t1=${EPOCHREALTIME//[.,]/}
	unit_sample "$1" "$2" "$ok" $((t1 - t0))
}

# run_cmd KIND REP OKBEFORE CHECK CMD...: wall time and CPU of CMD.
run_cmd() {
	local kind=$1 rep=$2 ok=$3 check=$4 t0 t1 u0 s0
	shift 4
	children_cpu
	u0=$CHILD_USER s0=$CHILD_SYS
	t0=${EPOCHREALTIME//[.,]/}
	"$@" >/dev/null 2>&1 || ok=0
	t1=${EPOCHREALTIME//[.,]/}
	children_cpu
	if [ "$check" = 1 ]; then
		all_labelled || ok=0
	fi
	sample "$kind" "$rep" $((t1 - t0)) $((t1 - t0)) $((CHILD_USER - u0 + CHILD_SYS - s0)) \
		$((CHILD_USER - u0)) $((CHILD_SYS - s0)) "$ok"
}

# The seed's manual sequence, region by region.
manual() {
	local p
	for p in $pairs; do
		ndctl disable-region "${p%:*}" && ndctl init-labels "${p#*:}" &&
			ndctl enable-region "${p%:*}" || return 1
	done
}

# bare_conf: a drop-in that undoes the unit's hardening.
bare_conf() {
	cat <<'EOF'
[Service]
CapabilityBoundingSet=~
NoNewPrivileges=no
DevicePolicy=auto
DeviceAllow=
ProtectSystem=no
ReadWritePaths=
ProtectHome=no
PrivateTmp=no
PrivateNetwork=no
IPAddressDeny=
RestrictAddressFamilies=
ProtectKernelModules=no
ProtectKernelLogs=no
ProtectControlGroups=no
ProtectClock=no
ProtectHostname=no
ProtectProc=default
RestrictNamespaces=no
RestrictRealtime=no
RestrictSUIDSGID=no
LockPersonality=no
MemoryDenyWriteExecute=no
RemoveIPC=no
SystemCallArchitectures=
SystemCallFilter=
EOF
}
# The settings that make systemd set up a mount namespace for the unit
# (its ReadWritePaths= and directories would alone): one group, because
# one of them left keeps the namespace and most of its cost.
mount_keys='ProtectSystem|ReadWritePaths|ProtectHome|PrivateTmp|ProtectKernelModules|ProtectKernelLogs|ProtectControlGroups|ProtectProc'
# variant full|bare|minus KEYS: the unit as shipped (no drop-in), without
# its hardening, or as shipped without the settings KEYS (an extended
# regular expression of names; DevicePolicy includes DeviceAllow=).
# Runtime drop-ins in /run.
variant() {
	local keys=${2:-}
	rm -rf "$dropin"
	case "$1" in
	bare)
		mkdir -p "$dropin"
		bare_conf >"$dropin/50-bench.conf"
		;;
	minus)
		[ "$keys" = DevicePolicy ] && keys='DevicePolicy|DeviceAllow'
		mkdir -p "$dropin"
		{
			echo '[Service]'
			bare_conf | grep -E "^($keys)="
		} >"$dropin/50-bench.conf"
		;;
	esac
	systemctl daemon-reload
}
# exposure: the overall exposure systemd-analyze security gives the unit as
# loaded now.
exposure() {
	systemd-analyze security --no-pager "$unit" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: *\([0-9][0-9.]*\).*/\1/p' | head -n1
}

# ------------------------------------------------------------ idle boot
# idle_sample: what of ours ran during this boot, from the journal (any
# record with our identifier or from our unit: a process that logged) and
# from systemd (the unit left the inactive state: its main process ran, even
# if it logged nothing).
idle_sample() {
	local props ie ien pid jpids procs started=0 active=0 ok=1
	udevadm settle -t 60 >/dev/null 2>&1
	journal_sync
	props=$(systemctl show "$unit" -p InactiveExitTimestampMonotonic \
		-p InactiveEnterTimestampMonotonic -p ExecMainPID)
	ie=$(sed -n 's/^InactiveExitTimestampMonotonic=//p' <<<"$props")
	ien=$(sed -n 's/^InactiveEnterTimestampMonotonic=//p' <<<"$props")
	pid=$(sed -n 's/^ExecMainPID=//p' <<<"$props")
	jpids=$(journalctl -b -o json --no-pager SYSLOG_IDENTIFIER=nvdimm-label-init + \
		_SYSTEMD_UNIT="$unit" | grep -o '"_PID":"[0-9]*"' | sort -u | grep -c .)
	procs=$jpids
	if [ "${ie:-0}" != 0 ]; then
		started=1
		[ "${ien:-0}" -gt "$ie" ] && active=$((ien - ie))
		[ "${pid:-0}" != 0 ] && ! journalctl -b -o json --no-pager _PID="$pid" |
			grep -q '"SYSLOG_IDENTIFIER":"nvdimm-label-init"' && procs=$((procs + 1))
	fi
	[ "$(count_nstype 5)" = "$BENCH_N" ] && [ -e "$stamp" ] || ok=0
	note "bench idle rep=0 procs=$procs journal_pids=$jpids started=$started active_us=$active ok=$ok"
}
if [ "${BENCH_IDLE:-0}" = 1 ]; then
	idle_sample
	cap idle_unit systemctl show "$unit" nvdimm-label-init.timer -p Id -p ActiveState \
		-p InactiveExitTimestampMonotonic -p LastTriggerUSecMonotonic
	cap idle_journal journalctl -b -o short-monotonic --no-pager \
		SYSLOG_IDENTIFIER=nvdimm-label-init + _SYSTEMD_UNIT="$unit"
	hotplug_watch "${BENCH_HOT:-3}" 120
	cap rinfo region_info
	# The next boot of this guest is a first boot again.
	rm -f "$stamp"
	sync
	exit 0
fi

# ------------------------------------------------------------ at boot
unit_sample boot 0 1 -1
# From here on the step makes regions label-less itself, over and over: the
# udev rule would start the unit on each of those events, and it would
# label them before the run being timed. A runtime rule of the same name
# hides the installed one for the rest of this boot.
mkdir -p /run/udev/rules.d
: >/run/udev/rules.d/90-nvdimm-label-init.rules
udevadm control --reload
cap bootlog journalctl -b -u "$unit" -o short-monotonic --no-pager
cap rinfo region_info

# ------------------------------------------------------------ first boot, live
# Alternating, so that a drift of the machine's speed hits all kinds alike.
for ((i = 1; i <= BENCH_REPS; i++)); do
	ok=1; prep || ok=0
	run_unit unit "$i" "$ok"
	if [ "${BENCH_SEED:-0}" = 1 ]; then
		variant bare
		ok=1; prep || ok=0
		run_unit bare "$i" "$ok"
		variant full
	fi
	ok=1; prep || ok=0
	run_cmd manual "$i" "$ok" 1 manual
	ok=1; prep || ok=0
	run_cmd direct "$i" "$ok" 1 "$prog" --log=journal
done

# ------------------------------------------------------------ steady state
if [ "${BENCH_SEED:-0}" = 1 ]; then
	all_labelled && ok=1 || ok=0
	for ((i = 1; i <= BENCH_REPS; i++)); do
		run_unit steady-unit "$i" "$ok"
		variant bare
		run_unit steady-bare "$i" "$ok"
		variant full
		run_cmd steady-direct "$i" "$ok" 1 "$prog" --log=journal
		run_cmd list "$i" "$ok" 0 ndctl list -RD
		run_cmd version-prog "$i" 1 0 "$prog" --version
		run_cmd version-ndctl "$i" 1 0 ndctl --version
	done
fi

# ------------------------------------------------------------ hardening
# The unit's hardening settings, grouped (DeviceAllow= with DevicePolicy=,
# SystemCallErrorNumber= with SystemCallFilter=), from the unit file itself:
# one group per line, its settings separated by '|'. (A setting bare_conf
# does not know is neither undone by "bare" nor by "minus".)
hardening_groups() {
	systemctl cat "$unit" 2>/dev/null | awk '
		/^\[/ { section = $0; next }
		section != "[Service]" { next }
		/^(CapabilityBoundingSet|NoNewPrivileges|DevicePolicy|DeviceAllow|Protect[A-Za-z]+|Private[A-Za-z]+|IPAddressDeny|Restrict[A-Za-z]+|LockPersonality|MemoryDenyWriteExecute|RemoveIPC|SystemCall[A-Za-z]+)=/ {
			key = substr($0, 1, index($0, "=") - 1)
			if (key == "DeviceAllow") key = "DevicePolicy"
			if (key == "SystemCallErrorNumber") key = "SystemCallFilter"
			if (!(key in seen)) { seen[key] = 1; order[++n] = key; lines[key] = $0 }
			else lines[key] = lines[key] "|" $0
		}
		END { for (i = 1; i <= n; i++) print order[i] "\t" lines[order[i]] }'
}
if [ "${BENCH_SEED:-0}" = 1 ] && [ "${BENCH_HARDENING:-0}" = 1 ]; then
	hardening_groups >/run/nli-bench-groups
	cap hardening_groups cat /run/nli-bench-groups
	all_labelled && ok=1 || ok=0
	for ((i = 1; i <= BENCH_REPS; i++)); do
		variant full
		[ "$i" = 1 ] && note "bench exposure hard-full $(exposure)"
		run_unit hard-full "$i" "$ok"
		variant bare
		[ "$i" = 1 ] && note "bench exposure hard-bare $(exposure)"
		run_unit hard-bare "$i" "$ok"
		variant minus "$mount_keys"
		if [ "$i" = 1 ]; then
			note "bench exposure hard-nomount $(exposure)"
			cap hardening_nomount grep -v '^\[' "$dropin/50-bench.conf"
		fi
		run_unit hard-nomount "$i" "$ok"
		while IFS=$'\t' read -r key _; do
			variant minus "$key"
			[ "$i" = 1 ] && note "bench exposure hard-$key $(exposure)"
			run_unit "hard-$key" "$i" "$ok"
		done </run/nli-bench-groups
	done
	variant full
fi

# ------------------------------------------------------------ evidence
# trace_on: function_graph on the kernel's NVDIMM entry points (sysfs
# bind/unbind, the ioctls, wait_probe) and what they lead to (ACPI _DSM
# calls, probes), every task.
trace_funcs='unbind_store bind_store nd_ioctl wait_probe_show nd_synchronize acpi_nfit_ctl acpi_evaluate_dsm nvdimm_probe nvdimm_remove nd_region_probe nd_region_remove nd_pmem_probe nd_pmem_remove nd_label_data_init nvdimm_get_config_data nvdimm_set_config_data'
trace_on() {
	mountpoint -q "$T" || mount -t tracefs tracefs "$T" || return 1
	echo 0 >"$T/tracing_on"
	echo 65536 >"$T/buffer_size_kb"
	echo nop >"$T/current_tracer"
	: >"$T/trace"
	grep -w -E "^($(echo "$trace_funcs" | tr ' ' '|'))" "$T/available_filter_functions" |
		awk '{ print $1 }' | sort -u >"$T/set_ftrace_filter"
	echo function_graph >"$T/current_tracer"
	echo funcgraph-tail >"$T/trace_options"
	echo funcgraph-proc >"$T/trace_options"
	echo 1 >"$T/tracing_on"
}
# in_traced_subshell CMD...: CMD with its system calls (and those of its
# children) recorded (raw_syscalls:sys_enter of this subshell's pid).
in_traced_subshell() (
	echo "$BASHPID" >"$T/set_event_pid"
	echo 1 >"$T/events/raw_syscalls/sys_enter/enable"
	"$@"
)
# trace_summary: the trace, summed up: "fn NAME CALLS MS" per traced kernel
# function (nested calls count in their own line too), "syscalls N
# NANOSLEEPS" (clock_nanosleep is 230 on x86-64).
trace_summary() {
	awk '
		/sys_enter: NR / { sc++; if (/sys_enter: NR 230 /) ns++; next }
		{
			i = index($0, " us "); if (!i) next
			n = split(substr($0, 1, i - 1), w, " "); d = w[n]
			if (d !~ /^[0-9.]+$/) next
			rest = substr($0, i + 4); sub(/^ *\| */, "", rest)
			if (rest ~ /^\} \/\* /) { sub(/^\} \/\* /, "", rest); split(rest, f, /[ *]/) }
			else if (rest ~ /\(\);/) split(rest, f, /[ (]/)
			else next
			calls[f[1]]++; t[f[1]] += d
		}
		END {
			for (k in calls) printf "fn %s %d %.1f\n", k, calls[k], t[k] / 1000
			printf "syscalls %d %d\n", sc, ns
		}' "$T/trace"
}
# traced_cmd KIND SECTION OK CHECK CMD...: run_cmd under the tracers, the
# summary as SECTION.
traced_cmd() {
	local kind=$1 section=$2 ok=$3 check=$4
	shift 4
	trace_on
	echo 1 >"$T/options/event-fork"
	run_cmd "$kind" 1 "$ok" "$check" in_traced_subshell "$@"
	echo 0 >"$T/events/raw_syscalls/sys_enter/enable"
	: >"$T/set_event_pid"
	echo 0 >"$T/tracing_on"
	cap "$section" trace_summary
}
trace_reset() {
	echo nop >"$T/current_tracer"
	: >"$T/set_ftrace_filter"
	: >"$T/trace"
}
# stamp_lines T0: each line of stdin prefixed with the microseconds since T0.
stamp_lines() {
	local l
	while IFS= read -r l; do
		printf '%d %s\n' $((${EPOCHREALTIME//[.,]/} - $1)) "$l"
	done
}
# vlog_phases FILE: from a time-stamped -v log: its first line, the end of driver
# loading (libkmod), the decision, the last region enabled again, the
# summary, the exit (µs since just before the exec; - when absent), and the
# milliseconds libndctl slept waiting for udev's queue to drain.
vlog_phases() {
	awk '
		NR == 1 { first = $1 }
		/libkmod:/ { kmod = $1 }
		decided == "" && / is label-less | is labelled / { decided = $1 }
		/libndctl: region[0-9]+: enabled$/ { applied = $1 }
		/ done: / { done = $1 }
		$2 == "end" { end = $1 }
		/ waited [0-9]+ millisecond/ { for (i = 1; i <= NF; i++) if ($i == "waited") w += $(i + 1) }
		function v(x) { return x == "" ? "-" : x }
		END { printf "phases first=%s kmod=%s decision=%s applied=%s summary=%s exit=%s udev_wait_ms=%d\n",
			v(first), v(kmod), v(decided), v(applied), v(done), v(end), w }' "$1"
}
# vlog SECTION: the program's -v console log, time-stamped, summed up as
# SECTION (and kept whole as SECTION_raw on the seed layout).
vlog() {
	local t0
	t0=${EPOCHREALTIME//[.,]/}
	"$prog" -v --log=console </dev/null 2>&1 | stamp_lines "$t0" >/run/nli-bench-vlog
	printf '%d end\n' $((${EPOCHREALTIME//[.,]/} - t0)) >>/run/nli-bench-vlog
	cap "$1" vlog_phases /run/nli-bench-vlog
	if [ "${BENCH_SEED:-0}" = 1 ]; then
		cap "$1_raw" cat /run/nli-bench-vlog
	fi
}

if [ "${BENCH_TRACE:-0}" = 1 ]; then
	ok=1; prep || ok=0
	traced_cmd traced-direct trace_direct "$ok" 1 "$prog" --log=journal
	ok=1; prep || ok=0
	traced_cmd traced-manual trace_manual "$ok" 1 manual
	if [ "${BENCH_SEED:-0}" = 1 ]; then
		traced_cmd traced-steady trace_steady 1 1 "$prog" --log=journal
		traced_cmd traced-list trace_list 1 0 ndctl list -RD
	fi
	trace_reset
	# The program's own account, -v on the console, each line time-stamped.
	prep
	vlog vlog_first
	if [ "${BENCH_SEED:-0}" = 1 ]; then
		vlog vlog_steady
	fi
fi

# The seed layout's next boot is the boot with nothing to do (BENCH_IDLE):
# every region labelled, the stamp saying so. The next boot of any other
# layout is a first boot again (its stamp would call it lost labels
# otherwise: the dimms' ids belong to the slots).
if [ "${BENCH_SEED:-0}" = 1 ]; then
	if ! all_labelled || [ ! -e "$stamp" ]; then
		"$prog" --log=journal >/dev/null 2>&1
	fi
else
	rm -f "$stamp"
fi
sync
