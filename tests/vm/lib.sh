# shellcheck shell=bash
# tests/vm/lib.sh: runner for the VM scenarios of nvdimm-label-init.
#
# Sourced by the scenario scripts (tests/vm/tNN-*). It builds (or reuses) the
# guest with tests/vm/build-guest, boots it under QEMU/TCG with a chosen
# NVDIMM layout, runs a test step inside the guest after
# nvdimm-label-init.service and brings the step's output back to the host
# through a second serial port. Scenarios print TAP.
#
#   vm_init NAME                 prerequisites (exit 77 if missing), guest,
#                                work dir with this scenario's copy of the disk
#   vm_require_project           skip the scenario (77) on a guest without
#                                the program (NLI_VM_NO_PROJECT=1)
#   vm_numa N                    N NUMA nodes (default 1)
#   vm_mem MB                    guest RAM in MiB (default 1024)
#   vm_dimm NAME SIZE [label=SIZE|none] [share=on|off] [node=N] [hotplug]
#                                declare an NVDIMM (order = slot order); its
#                                sparse backing file is created if missing;
#                                a hotplug one is not on QEMU's command line
#                                but added through QMP (vm_boot --hotplug-on)
#   vm_dimm_file NAME            path of its backing file
#   vm_wipe NAME                 recreate its backing file (all zero, sparse)
#   vm_dimm_clear                forget all declared NVDIMMs (files stay)
#   vm_boot [--pre FILE] [--append ARGS] [--timeout S] STEPFILE|-
#                                boot once, run STEPFILE (bash, in the guest,
#                                helpers of guest/step-lib.sh available) after
#                                the program's unit, FILE (pre.sh) before it;
#                                returns 0 when the step completed
#       --file FILE              (repeatable) also put FILE on the step disk
#                                (/run/nli-step/ in the guest)
#       --disk IMAGE             (repeatable) attach IMAGE (raw, read-only)
#                                after the step disk: /dev/vdc, /dev/vdd...
#       --kill-on TEXT           pull the plug: kill -9 QEMU as soon as the
#                                step output (second serial port) shows
#                                TEXT; returns 0 then, and vm_killed is true
#       --hotplug-on TEXT        when the step output shows TEXT, hot-add the
#                                hotplug dimms through QEMU's QMP socket,
#                                back to back (tests/vm/qmp-hotplug); its
#                                log: $VM_BOOT_DIR/hotplug.log
#       --hotplug-one-by-one     with --hotplug-on: each dimm only once the
#                                step has reported the one before labelled,
#                                and 5 s later (see tests/vm/qmp-hotplug)
#       --warm-reboot FILE       (repeatable) after STEPFILE the guest
#                                reboots instead of powering off, in the same
#                                QEMU process (the machine reset, its RAM
#                                kept as QEMU keeps it), and runs FILE as the
#                                next boot's step; the last one powers off.
#                                Each warm boot's results: vm_warm_boot N
#   vm_warm_boot N               read the results (vm_out & co.) of the Nth
#                                boot of the last vm_boot (1: STEPFILE's);
#                                after vm_boot, the last one's are read
#   vm_out SECTION / vm_rc SECTION   output / exit status of a `cap SECTION`
#                                of the last boot
#   vm_journal                   the program's journal records of the last
#                                boot (section "journal", see vm_std_capture)
#   TAP helpers: tests/tap.sh
#
#   vm_image_setup [PACKAGES]    before vm_init, for the scenarios that
#                                install the package themselves (t3*): the
#                                .deb of the guest's release ($VM_DEB,
#                                tests/vm/release-deb) and a guest without
#                                the program (plus PACKAGES, comma separated)
#   vm_disk_first_boot DISK      empty the disk's /etc/machine-id, as images
#                                ship: each VM made from it gets its own at
#                                its first boot
#   vm_disk_cat DISK PATH        a file of an ext4 disk image (debugfs)
#
#   vm_release_ok                TAP: the guest runs its release's kernel
#                                series, ndctl and systemd (tests/vm/releases)
#   vm_kconfig OPTION            the guest kernel's CONFIG_... value
#
# A boot whose guest kernel (Oops, panic) or emulator (QEMU aborted) died
# fails as such: its TAP line and diagnostics say so, and the console is
# shown; it is never retried.
#
# Environment: NLI_VM_RELEASE (the guest's Debian release, see
# tests/vm/releases), NLI_VM_CACHE (guest cache), NLI_BUILD_DIR (build tree),
# NLI_VM_NO_PROJECT=1, NLI_VM_TIMEOUT (seconds per boot, default 240),
# NLI_VM_SMP (vCPUs, default 2), NLI_VM_ACCEL (QEMU -accel, default tcg,thread=single),
# NLI_VM_KEEP=1 (keep the work dir),
# NLI_VM_WORKDIR (parent of work dirs, default /var/tmp), NLI_VM_GUEST_ENV
# (guest.env of a guest built beforehand: skips build-guest, set by
# check-vm), NLI_VM_PROGRESS=1 (show boot progress on stderr).

VM_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_TIMEOUT=${NLI_VM_TIMEOUT:-240}
VM_SMP=${NLI_VM_SMP:-2}
VM_MEM_MB=1024
# One host thread for all vCPUs: multi-threaded TCG races the guest's own
# code patching and QEMU's memory map (Debian 13 guest kernels died in
# int3 Oopses under QEMU 7.2, and QEMU 10.0 aborted in iotlb_to_section),
# and on two host cores two single-threaded guests run faster side by side
# than two multi-threaded ones (tests/vm/README.md).
VM_ACCEL=${NLI_VM_ACCEL:-tcg,thread=single}

# MESSAGE_IDs of the program's journal records (contract), as MID_<NAME>
# (MID_REFUSED, ...), from the program's own table.
VM_MESSAGES=$VM_LIBDIR/../../agent/shared/messages.def
eval "$(sed -n 's/^MSG(\([A-Z_]*\), *"\([0-9a-f]\{32\}\)".*/export MID_\1=\2/p' "$VM_MESSAGES")"
[ -n "${MID_SUMMARY:-}" ] || { echo "lib.sh: no message ids read from $VM_MESSAGES" >&2; exit 1; }
# The first line of the stamp the program writes, from the program's own source.
VM_STAMP_HEADER=$(sed -n 's/^#define STAMP_HEADER "\(.*\)"$/\1/p' "$VM_LIBDIR/../../agent/core/stamp-text.c")
[ -n "$VM_STAMP_HEADER" ] || { echo "lib.sh: no stamp header read from agent/core/stamp-text.c" >&2; exit 1; }
export VM_STAMP_HEADER

# ------------------------------------------------------------------ TAP
# shellcheck source=tests/tap.sh
. "$VM_LIBDIR/../tap.sh"

# ------------------------------------------------------------------ sizes
# to_bytes 512M|2G|128K|1234: bytes.
to_bytes() {
	local v=$1 n
	n=${v%[KkMmGgTt]}
	case "$v" in
	*[Kk]) echo $((n * 1024)) ;;
	*[Mm]) echo $((n * 1024 * 1024)) ;;
	*[Gg]) echo $((n * 1024 * 1024 * 1024)) ;;
	*[Tt]) echo $((n * 1024 * 1024 * 1024 * 1024)) ;;
	*) echo "$n" ;;
	esac
}

# ------------------------------------------------------------------ setup
VM_WORK=
VM_NAME=
VM_NUMA=1
VM_BOOTS=0
# Boots of the last vm_boot (more than one with --warm-reboot).
VM_WARM_BOOTS=1
VM_DIMMS=()
declare -A VM_DIMM_SIZE VM_DIMM_LABEL VM_DIMM_SHARE VM_DIMM_NODE VM_DIMM_HOT
VM_KERNEL='' VM_INITRD='' VM_BASE_DISK='' VM_KVER='' VM_PROJECT='' VM_RELEASE=''

_vm_cleanup() {
	if [ -n "$VM_WORK" ] && [ -d "$VM_WORK" ]; then
		if [ "${NLI_VM_KEEP:-0}" = 1 ]; then
			echo "# work dir kept: $VM_WORK" >&2
		else
			rm -rf "$VM_WORK"
		fi
	fi
}

# _vm_read_env: parse guest.env lines (KEY=VALUE) from stdin.
_vm_read_env() {
	local key val
	while IFS='=' read -r key val; do
		case "$key" in
		KERNEL) VM_KERNEL=$val ;;
		INITRD) VM_INITRD=$val ;;
		DISK) VM_BASE_DISK=$val ;;
		KVER) VM_KVER=$val ;;
		PROJECT) VM_PROJECT=$val ;;
		RELEASE) VM_RELEASE=$val ;;
		esac
	done
}

vm_init() {
	VM_NAME=$1
	local t env rc
	for t in qemu-system-x86_64:qemu-system-x86 timeout:coreutils mke2fs:e2fsprogs \
		jq:jq truncate:coreutils; do
		command -v "${t%%:*}" >/dev/null 2>&1 ||
			skip_all "${t%%:*} not found (apt-get install ${t#*:})"
	done
	[ "$(id -u)" = 0 ] || skip_all "the VM tests must run as root"

	if [ -n "${NLI_VM_GUEST_ENV:-}" ] && [ -f "$NLI_VM_GUEST_ENV" ]; then
		_vm_read_env <"$NLI_VM_GUEST_ENV"
	else
		local log
		log=$(mktemp)
		env=$("$VM_LIBDIR/build-guest" --print-env 2>"$log")
		rc=$?
		sed 's/^/# /' "$log"
		rm -f "$log"
		[ "$rc" = 77 ] && skip_all "guest cannot be built (see build-guest messages above)"
		[ "$rc" = 0 ] || bail_out "build-guest failed (exit $rc)"
		_vm_read_env <<<"$env"
	fi
	if [ ! -f "$VM_KERNEL" ] || [ ! -f "$VM_INITRD" ] || [ ! -f "$VM_BASE_DISK" ]; then
		bail_out "guest files missing (kernel '$VM_KERNEL', initrd '$VM_INITRD', disk '$VM_BASE_DISK')"
	fi

	VM_WORK=$(mktemp -d "${NLI_VM_WORKDIR:-/var/tmp}/nli-vm-$VM_NAME.XXXXXX") ||
		bail_out "cannot create a work dir"
	trap _vm_cleanup EXIT
	# What vm_image_setup made goes with the work directory.
	if [ -n "$VM_PRE" ]; then
		mv "$VM_PRE" "$VM_WORK/pre" || bail_out "cannot move $VM_PRE"
		VM_PRE=$VM_WORK/pre
		VM_DEB=$VM_PRE/$(basename "$VM_DEB")
	fi
	cp --sparse=always "$VM_BASE_DISK" "$VM_WORK/disk.img" || bail_out "cannot copy the guest disk"
	diag "scenario $VM_NAME: $VM_RELEASE guest, kernel $VM_KVER, project: $VM_PROJECT, work dir $VM_WORK"
}

# ------------------------------------------------------------------ images
VM_DEB=
VM_PRE=
vm_image_setup() {
	local packages=${1:-} release rc
	[ "$(id -u)" = 0 ] || skip_all "the VM tests must run as root"
	command -v debugfs >/dev/null 2>&1 || skip_all "debugfs not found (apt-get install e2fsprogs)"
	read -r release _ < <("$VM_LIBDIR/release-root" "${NLI_VM_RELEASE:-}" info) ||
		bail_out "no such release '${NLI_VM_RELEASE:-}'"
	VM_PRE=$(mktemp -d "${NLI_VM_WORKDIR:-/var/tmp}/nli-vm-pre.XXXXXX") || bail_out "mktemp failed"
	trap 'rm -rf "$VM_PRE"' EXIT
	rc=0
	VM_DEB=$("$VM_LIBDIR/release-deb" "$release" "${NLI_BUILD_DIR:-$VM_LIBDIR/../..}" \
		2>"$VM_PRE/deb.log") || rc=$?
	sed 's/^/# /' "$VM_PRE/deb.log"
	[ "$rc" = 77 ] && skip_all "no $release .deb can be built here (see above)"
	[ "$rc" = 0 ] || bail_out "tests/vm/release-deb $release failed (exit $rc)"
	# A copy: the cache keeps only the newest few packages.
	cp "$VM_DEB" "$VM_PRE/" || bail_out "cannot copy $VM_DEB"
	VM_DEB=$VM_PRE/$(basename "$VM_DEB")
	rc=0
	NLI_VM_NO_PROJECT=1 NLI_VM_EXTRA_PACKAGES=$packages "$VM_LIBDIR/build-guest" --print-env \
		>"$VM_PRE/guest.env" 2>"$VM_PRE/guest.log" || rc=$?
	sed 's/^/# /' "$VM_PRE/guest.log"
	[ "$rc" = 77 ] && skip_all "the guest cannot be built (see build-guest messages above)"
	[ "$rc" = 0 ] || bail_out "build-guest --no-project failed (exit $rc)"
	export NLI_VM_GUEST_ENV=$VM_PRE/guest.env
}

vm_disk_first_boot() {
	local disk=$1
	: >"$VM_WORK/empty"
	printf '%s\n' "cd /etc" "rm machine-id" "write $VM_WORK/empty machine-id" \
		"sif machine-id mode 0100444" >"$VM_WORK/debugfs.cmd"
	if ! debugfs -w -f "$VM_WORK/debugfs.cmd" "$disk" >/dev/null 2>&1 ||
		[ -n "$(vm_disk_cat "$disk" /etc/machine-id)" ]; then
		bail_out "cannot empty /etc/machine-id in $disk"
	fi
}

vm_disk_cat() {
	debugfs -R "cat $2" "$1" 2>/dev/null
}

vm_require_project() {
	[ "$VM_PROJECT" != none ] ||
		skip_all "the guest was built without the program (NLI_VM_NO_PROJECT=1)"
}

vm_numa() { VM_NUMA=$1; }

vm_mem() { VM_MEM_MB=$1; }

vm_dimm_file() { echo "$VM_WORK/dimm-$1.img"; }

vm_dimm() {
	local name=$1 size=$2 opt
	shift 2
	VM_DIMM_SIZE[$name]=$(to_bytes "$size")
	VM_DIMM_LABEL[$name]=2M
	VM_DIMM_SHARE[$name]=on
	VM_DIMM_NODE[$name]=0
	VM_DIMM_HOT[$name]=0
	for opt in "$@"; do
		case "$opt" in
		hotplug) VM_DIMM_HOT[$name]=1 ;;
		label=*) VM_DIMM_LABEL[$name]=${opt#label=} ;;
		share=*) VM_DIMM_SHARE[$name]=${opt#share=} ;;
		node=*) VM_DIMM_NODE[$name]=${opt#node=} ;;
		*) bail_out "vm_dimm: unknown option $opt" ;;
		esac
	done
	local known=0 d
	for d in "${VM_DIMMS[@]}"; do [ "$d" = "$name" ] && known=1; done
	[ "$known" = 1 ] || VM_DIMMS+=("$name")
	[ -f "$(vm_dimm_file "$name")" ] || truncate -s "${VM_DIMM_SIZE[$name]}" "$(vm_dimm_file "$name")"
}

vm_wipe() {
	local f
	f=$(vm_dimm_file "$1")
	rm -f "$f"
	truncate -s "${VM_DIMM_SIZE[$1]}" "$f"
}

vm_dimm_clear() { VM_DIMMS=(); }

# ------------------------------------------------------------------ boot
VM_BOOT_DIR=
VM_RESULT=
VM_CONSOLE=
VM_BOOT_SECS=0
# 1 after a boot whose QEMU was killed on purpose (vm_boot --kill-on).
VM_KILLED=0
# The guest's own word on what it runs (@@@GUEST of run-step), from the
# first boot that completed: kernel=... ndctl=... systemd=...
VM_GUEST=
# Set, to what died and how, when the last boot failed because the guest
# kernel or QEMU itself died.
VM_DIED=

_vm_qemu_args() {
	local total=0 d i n=0 mem_node slots=16 maxmem_g
	for d in "${VM_DIMMS[@]}"; do
		total=$((total + VM_DIMM_SIZE[$d]))
	done
	[ "${#VM_DIMMS[@]}" -gt "$slots" ] && slots=${#VM_DIMMS[@]}
	maxmem_g=$(((VM_MEM_MB * 1024 * 1024 + total + (1 << 30) - 1) / (1 << 30) + 1))
	local machine=pc,nvdimm=on
	# No NVDIMM declared: a machine without NVDIMM support at all.
	[ "${#VM_DIMMS[@]}" -eq 0 ] && machine=pc
	printf '%s\n' -machine "$machine" -accel "$VM_ACCEL" -smp "$VM_SMP" \
		-m "${VM_MEM_MB}M,slots=$slots,maxmem=${maxmem_g}G" \
		-nodefaults -display none
	# A guest that reboots ends QEMU, unless the boot reboots warm on purpose.
	[ "$VM_WARM_BOOTS" -gt 1 ] || printf '%s\n' -no-reboot
	if [ "$VM_NUMA" -gt 1 ]; then
		mem_node=$((VM_MEM_MB / VM_NUMA))
		for ((i = 0; i < VM_NUMA; i++)); do
			printf '%s\n' -object "memory-backend-ram,id=ram$i,size=${mem_node}M"
			if [ "$i" -lt "$VM_SMP" ] && [ "$i" -lt $((VM_NUMA - 1)) ]; then
				printf '%s\n' -numa "node,nodeid=$i,cpus=$i,memdev=ram$i"
			elif [ "$i" = $((VM_NUMA - 1)) ] && [ "$i" -lt "$VM_SMP" ]; then
				printf '%s\n' -numa "node,nodeid=$i,cpus=$i-$((VM_SMP - 1)),memdev=ram$i"
			else
				printf '%s\n' -numa "node,nodeid=$i,memdev=ram$i"
			fi
		done
	fi
	for d in "${VM_DIMMS[@]}"; do
		[ "${VM_DIMM_HOT[$d]}" = 1 ] && continue
		printf '%s\n' -object "memory-backend-file,id=nvmem$n,share=${VM_DIMM_SHARE[$d]},mem-path=$(vm_dimm_file "$d"),size=${VM_DIMM_SIZE[$d]}"
		if [ "${VM_DIMM_LABEL[$d]}" = none ]; then
			printf '%s\n' -device "nvdimm,id=nvdimm$n,memdev=nvmem$n,node=${VM_DIMM_NODE[$d]}"
		else
			printf '%s\n' -device "nvdimm,id=nvdimm$n,memdev=nvmem$n,label-size=${VM_DIMM_LABEL[$d]},node=${VM_DIMM_NODE[$d]}"
		fi
		n=$((n + 1))
	done
}

# _vm_progress PID START: one status line on stderr every few seconds.
_vm_progress() {
	local pid=$1 start=$2 last='' line
	while kill -0 "$pid" 2>/dev/null; do
		sleep 3
		line=$(tr -d '\r' <"$VM_CONSOLE" 2>/dev/null |
			grep -E 'Reached target|Starting|Started|Finished|Linux version|Run /init' |
			tail -n1 | sed 's/\x1b\[[0-9;]*m//g; s/^ *//' | cut -c1-90)
		if [ -n "$line" ] && [ "$line" != "$last" ]; then
			printf '  [%3ds] %s\n' "$(($(date +%s) - start))" "$line" >&2
			last=$line
		fi
	done
}

vm_boot() {
	local pre='' append='' timeout=$VM_TIMEOUT step start rc qemu_pid
	local kill_on='' hotplug_on='' hotplug_opts=() watcher='' files=() f completed disks=()
	local warm=() i
	while [ $# -gt 1 ]; do
		case "$1" in
		--pre) pre=$2; shift 2 ;;
		--file) files+=("$2"); shift 2 ;;
		--warm-reboot) warm+=("$2"); shift 2 ;;
		--disk) disks+=(-drive "file=$2,format=raw,if=virtio,readonly=on"); shift 2 ;;
		--kill-on) kill_on=$2; shift 2 ;;
		--hotplug-on) hotplug_on=$2; shift 2 ;;
		--hotplug-one-by-one) hotplug_opts+=(--one-by-one); shift ;;
		--append) append=$2; shift 2 ;;
		--timeout) timeout=$2; shift 2 ;;
		*) break ;;
		esac
	done
	step=$1
	VM_BOOTS=$((VM_BOOTS + 1))
	VM_BOOT_DIR=$VM_WORK/boot-$VM_BOOTS
	VM_RESULT=$VM_BOOT_DIR/result.log
	VM_CONSOLE=$VM_BOOT_DIR/console.log
	mkdir -p "$VM_BOOT_DIR/step"
	if [ "$step" = - ]; then
		cat >"$VM_BOOT_DIR/step/step.sh"
	else
		cp "$step" "$VM_BOOT_DIR/step/step.sh"
	fi
	for f in "${files[@]}"; do
		cp "$f" "$VM_BOOT_DIR/step/" || bail_out "cannot put $f on the step disk"
	done
	# The warm boots' steps, and a token of this QEMU process against which
	# run-step counts the boots on the guest's disk.
	VM_WARM_BOOTS=$((1 + ${#warm[@]}))
	for i in "${!warm[@]}"; do
		cp "${warm[$i]}" "$VM_BOOT_DIR/step/step-$((i + 2)).sh" || bail_out "cannot put ${warm[$i]} on the step disk"
	done
	if [ "$VM_WARM_BOOTS" -gt 1 ]; then
		od -An -N8 -tx1 /dev/urandom | tr -d ' \n' >"$VM_BOOT_DIR/step/boot-token"
		timeout=$((timeout * VM_WARM_BOOTS))
	fi
	VM_KILLED=0
	VM_DIED=
	if [ -n "$pre" ]; then
		cp "$pre" "$VM_BOOT_DIR/step/pre.sh"
		append="systemd.wants=nli-test-pre.service $append"
	fi
	mke2fs -q -t ext4 -L nli-step -d "$VM_BOOT_DIR/step" -F "$VM_BOOT_DIR/step.img" 8M >/dev/null ||
		bail_out "cannot build the step disk"

	local args=()
	mapfile -t args < <(_vm_qemu_args)
	[ -z "$kill_on" ] || args+=(-pidfile "$VM_BOOT_DIR/qemu.pid")
	[ -z "$hotplug_on" ] || args+=(-qmp "unix:$VM_BOOT_DIR/qmp.sock,server=on,wait=off")
	printf '%q ' qemu-system-x86_64 "${args[@]}" >"$VM_BOOT_DIR/qemu.cmd"
	echo >>"$VM_BOOT_DIR/qemu.cmd"

	start=$(date +%s)
	: >"$VM_CONSOLE"
	# no_timer_check: under TCG on a busy host the kernel's IO-APIC timer
	# check can miss its ticks and panic the boot ("timer doesn't work").
	# shellcheck disable=SC2086 # NLI_VM_QEMU_ARGS: extra words for QEMU
	timeout -k 10 "$timeout" qemu-system-x86_64 "${args[@]}" ${NLI_VM_QEMU_ARGS:-} \
		-kernel "$VM_KERNEL" -initrd "$VM_INITRD" \
		-append "console=ttyS0 root=/dev/vda rw panic=-1 no_timer_check ${NLI_VM_APPEND:-} $append" \
		-serial "file:$VM_CONSOLE" -serial "file:$VM_BOOT_DIR/ttyS1.log" \
		-drive "file=$VM_WORK/disk.img,format=raw,if=virtio,cache=unsafe" \
		-drive "file=$VM_BOOT_DIR/step.img,format=raw,if=virtio,readonly=on" "${disks[@]}" \
		>"$VM_BOOT_DIR/qemu.out" 2>&1 &
	qemu_pid=$!
	if [ -n "$kill_on" ]; then
		_vm_kill_on "$kill_on" &
		watcher=$!
	elif [ -n "$hotplug_on" ]; then
		_vm_hotplug_on "$hotplug_on" "${hotplug_opts[@]}" &
		watcher=$!
	fi
	if [ "${NLI_VM_PROGRESS:-0}" = 1 ]; then
		_vm_progress "$qemu_pid" "$start"
	fi
	# (2>/dev/null: no "Killed" job notice when the plug was pulled on purpose)
	wait "$qemu_pid" 2>/dev/null
	rc=$?
	VM_BOOT_SECS=$(($(date +%s) - start))
	tr -d '\r' <"$VM_BOOT_DIR/ttyS1.log" >"$VM_RESULT" 2>/dev/null
	# Each warm boot's part of it (run-step marks them @@@BOOT N).
	if [ "$VM_WARM_BOOTS" -gt 1 ]; then
		awk -v dir="$VM_BOOT_DIR" '/^@@@BOOT [0-9]+$/ { n = $2 } { print > (dir "/result-" (n ? n : 1) ".log") }' \
			"$VM_RESULT"
		for ((i = 1; i <= VM_WARM_BOOTS; i++)); do
			[ -f "$VM_BOOT_DIR/result-$i.log" ] || : >"$VM_BOOT_DIR/result-$i.log"
		done
		VM_RESULT=$VM_BOOT_DIR/result-$VM_WARM_BOOTS.log
	fi
	if [ -n "$watcher" ]; then
		kill "$watcher" 2>/dev/null
		wait "$watcher" 2>/dev/null
		if [ -e "$VM_BOOT_DIR/killed" ]; then
			VM_KILLED=1
			diag "[boot $VM_BOOTS] plug pulled (QEMU killed) after ${VM_BOOT_SECS}s, on '$kill_on'"
			return 0
		fi
	fi

	completed=0
	grep -q '^@@@DONE' "$VM_RESULT" && completed=1
	for ((i = 1; i < VM_WARM_BOOTS; i++)); do
		grep -q '^@@@DONE' "$VM_BOOT_DIR/result-$i.log" || completed=0
	done
	# A dead guest kernel or emulator is not the program's failure, whatever
	# followed.
	if [ "$completed" = 0 ]; then
		VM_DIED=$(grep -a -m1 -E 'Kernel panic|Oops:|BUG: |general protection fault' "$VM_CONSOLE" |
			tr -d '\r' | sed 's/^\[ *[0-9.]*\] //')
		[ -z "$VM_DIED" ] || VM_DIED="the guest kernel died: $VM_DIED"
		# 128 + SIGABRT/SIGSEGV/SIGBUS: QEMU crashed (timeout passes its status on).
		case "$rc" in
		134 | 135 | 139) VM_DIED="QEMU died (exit $rc): $(grep -a -m1 -v '^\s*$' "$VM_BOOT_DIR/qemu.out")" ;;
		esac
	fi
	if [ -n "$VM_DIED" ]; then
		diag "[boot $VM_BOOTS] THE GUEST DIED after ${VM_BOOT_SECS}s, $VM_DIED: not a failure of the program; console:"
		diag_file "$VM_CONSOLE" 60
		return 1
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		diag "[boot $VM_BOOTS] TIMEOUT after ${timeout}s; console tail:"
		diag_file "$VM_CONSOLE" 40
		_vm_step_tail
		return 1
	fi
	if [ "$rc" != 0 ]; then
		diag "[boot $VM_BOOTS] qemu exited with $rc:"
		diag_file "$VM_BOOT_DIR/qemu.out" 20
		diag_file "$VM_CONSOLE" 40
		return 1
	fi
	if [ "$completed" = 0 ]; then
		diag "[boot $VM_BOOTS] guest powered off without completing the step; console tail:"
		diag_file "$VM_CONSOLE" 40
		_vm_step_tail
		return 1
	fi
	if [ "$VM_WARM_BOOTS" -gt 1 ]; then
		diag "[boot $VM_BOOTS] ${VM_BOOT_SECS}s, $VM_WARM_BOOTS boots in one QEMU process (steps done at guest uptimes $(cat "$VM_BOOT_DIR"/result-[0-9]*.log |
			sed -n 's/^@@@DONE uptime=\(.*\)/\1s/p' | paste -sd' ' -))"
	else
		diag "[boot $VM_BOOTS] ${VM_BOOT_SECS}s (step done at guest uptime $(sed -n 's/^@@@DONE uptime=//p' "$VM_RESULT")s)"
	fi
	if [ -z "$VM_GUEST" ]; then
		VM_GUEST=$(sed -n 's/^@@@GUEST //p' "$VM_RESULT")
		diag "guest: $VM_RELEASE, $VM_GUEST"
	fi
	return 0
}

# vm_warm_boot N: the results of the Nth boot of the last vm_boot.
vm_warm_boot() {
	if [ "$1" -lt 1 ] || [ "$1" -gt "$VM_WARM_BOOTS" ]; then
		bail_out "vm_warm_boot: no boot $1 of $VM_WARM_BOOTS"
	fi
	if [ "$VM_WARM_BOOTS" -gt 1 ]; then
		VM_RESULT=$VM_BOOT_DIR/result-$1.log
	fi
}

# vm_killed: the last boot ended with the plug pulled (vm_boot --kill-on).
vm_killed() { [ "$VM_KILLED" = 1 ]; }

# _vm_wait_step_output TEXT: until the step output of this boot shows TEXT.
_vm_wait_step_output() {
	until grep -qF -- "$1" "$VM_BOOT_DIR/ttyS1.log" 2>/dev/null; do
		sleep 0.2
	done
}

# _vm_kill_on TEXT: kill -9 the QEMU of this boot (its pid file) as soon as
# the step output contains TEXT; touch "killed" in the boot directory.
_vm_kill_on() {
	local pid
	_vm_wait_step_output "$1"
	pid=$(cat "$VM_BOOT_DIR/qemu.pid" 2>/dev/null)
	[ -n "$pid" ] && kill -KILL "$pid" && date +%s >"$VM_BOOT_DIR/killed"
}

# _vm_hotplug_on TEXT [OPTION...]: once the step output shows TEXT, hot-add
# every hotplug dimm through the QMP socket of this boot (OPTIONs for
# qmp-hotplug).
_vm_hotplug_on() {
	local text=$1 d n=0 specs=()
	shift
	for d in "${VM_DIMMS[@]}"; do
		[ "${VM_DIMM_HOT[$d]}" = 1 ] &&
			specs+=("hot$n:$(vm_dimm_file "$d"):${VM_DIMM_SIZE[$d]}:$(to_bytes "${VM_DIMM_LABEL[$d]}"):${VM_DIMM_NODE[$d]}")
		n=$((n + 1))
	done
	_vm_wait_step_output "$text"
	python3 "$VM_LIBDIR/qmp-hotplug" "$@" "$VM_BOOT_DIR/qmp.sock" "$VM_BOOT_DIR/ttyS1.log" \
		"${specs[@]}" >"$VM_BOOT_DIR/hotplug.log" 2>&1
}

_vm_step_tail() {
	if [ -s "$VM_RESULT" ]; then
		diag "step output tail:"
		diag_file "$VM_RESULT" 20
	fi
}

# vm_boot_ok DESC [vm_boot args...]: boot as a TAP assertion; bails out of
# the scenario (the remaining assertions would be meaningless) on failure.
vm_boot_ok() {
	local desc=$1
	shift
	if vm_boot "$@"; then
		ok "$desc (${VM_BOOT_SECS}s)"
	elif [ -n "$VM_DIED" ]; then
		not_ok "$desc: $VM_DIED (not the program)"
		tap_done
	else
		not_ok "$desc"
		tap_done
	fi
}

# ------------------------------------------------------------------ results
vm_out() {
	awk -v name="$1" '
		$0 == "@@@BEGIN " name { inside = 1; n = 0; delete buf; next }
		inside && index($0, "@@@END " name " ") == 1 {
			inside = 0
			if (n > 0 && buf[n] == "") n--
			out = ""
			for (i = 1; i <= n; i++) out = out buf[i] "\n"
			last = out; found = 1
			next
		}
		inside { buf[++n] = $0 }
		END { if (found) printf "%s", last }
	' "$VM_RESULT"
}

vm_rc() {
	awk -v name="$1" 'index($0, "@@@END " name " ") == 1 { rc = $3 } END { print rc }' "$VM_RESULT"
}

# vm_has SECTION: the section was captured in the last boot.
vm_has() {
	grep -q "^@@@END $1 " "$VM_RESULT"
}

# ndctl JSON as an array whatever ndctl printed (object, array, nothing).
vm_json_array() {
	vm_out "$1" | jq -s '[.[] | if type == "array" then .[] else . end]'
}

# vm_prop SECTION PROP: a property from a `cap SECTION unit_props UNIT`.
vm_prop() {
	vm_out "$1" | sed -n "s/^$2=//p" | head -n1
}

# The program's journal records are read from section $VM_JSECTION
# (default "journal", as captured by std_capture / prog_journal).
VM_JSECTION=journal

# vm_journal: those records as a JSON array.
vm_journal() {
	vm_out "$VM_JSECTION" | jq -s '[.[] | select(.SYSLOG_IDENTIFIER == "nvdimm-label-init")]'
}

# vm_jcount MESSAGE_ID [jq condition on the record]: number of records.
vm_jcount() {
	vm_journal | jq --arg id "$1" "[.[] | select(.MESSAGE_ID == \$id) | select(${2:-true})] | length"
}

# vm_jfield MESSAGE_ID FIELD: the FIELD values of those records, sorted, one
# a line.
vm_jfield() {
	vm_journal | jq -r --arg id "$1" --arg f "$2" '.[] | select(.MESSAGE_ID == $id) | .[$f] // empty' | sort
}

# vm_jmissing MESSAGE_ID FIELD...: the fields missing from any record with
# that MESSAGE_ID (empty output: all there).
vm_jmissing() {
	local id=$1 f
	shift
	for f in "$@"; do
		vm_journal | jq -e --arg id "$id" --arg f "$f" \
			'[.[] | select(.MESSAGE_ID == $id) | select(has($f) | not)] | length == 0' >/dev/null ||
			echo "$f"
	done
}

# ------------------------------------------------------------------ regions
# vm_rinfo REGION FIELD [SECTION]: a field of a region_info line (default
# section "rinfo").
vm_rinfo() {
	vm_out "${3:-rinfo}" | awk -v r="$1" -v f="$2" '
		$1 == r { for (i = 2; i <= NF; i++) if (index($i, f "=") == 1) print substr($i, length(f) + 2) }'
}

# vm_regions_where FIELD VALUE [SECTION]: the regions whose FIELD is VALUE.
vm_regions_where() {
	vm_out "${3:-rinfo}" | awk -v f="$1" -v v="$2" '
		{ for (i = 2; i <= NF; i++) if ($i == f "=" v) print $1 }'
}

# vm_dimm_region_size NAME: the region size the guest sees for a dimm (the
# label area is carved from the end of the backing file).
vm_dimm_region_size() {
	local label=${VM_DIMM_LABEL[$1]}
	if [ "$label" = none ]; then
		echo "${VM_DIMM_SIZE[$1]}"
	else
		echo $((VM_DIMM_SIZE[$1] - $(to_bytes "$label")))
	fi
}

# vm_region_of NAME [SECTION]: the region of a declared dimm, found by its
# size and NUMA node (scenarios give their dimms distinct sizes or nodes).
vm_region_of() {
	vm_out "${2:-rinfo}" | awk -v s="size=$(vm_dimm_region_size "$1")" -v n="numa=${VM_DIMM_NODE[$1]}" '
		{ hs = hn = 0; for (i = 2; i <= NF; i++) { if ($i == s) hs = 1; if ($i == n) hn = 1 } }
		hs && hn { print $1 }' | head -n1
}

# vm_aligned REGION [SECTION]: the region size rounded down to its alignment,
# i.e. the space a labelled region offers to namespaces.
vm_aligned() {
	local size align
	size=$(vm_rinfo "$1" size "${2:-rinfo}")
	align=$(vm_rinfo "$1" align "${2:-rinfo}")
	[ -n "$size" ] && [ -n "$align" ] && [ "$align" -gt 0 ] || return 1
	echo $((size / align * align))
}

# vm_ndctl_avail REGION [SECTION]: available_size as `ndctl list -R` shows
# it (default section "regions").
vm_ndctl_avail() {
	vm_json_array "${2:-regions}" | jq -r --arg r "$1" '.[] | select(.dev == $r) | .available_size'
}

# vm_stamp ID [SECTION]: "state time" of a dimm in the stamp (section
# "stamp"), empty if not listed.
vm_stamp() {
	vm_out "${2:-stamp}" | awk -v id="$1" '$1 == "dimm" && $2 == id { print $3, $4 }'
}

# vm_labelled_ok DESC REGION [SECTION]: assert a region is labelled with all
# its aligned space available (kernel nstype 5 and ndctl available_size).
vm_labelled_ok() {
	local desc=$1 r=$2 sec=${3:-}
	local nstype avail want
	nstype=$(vm_rinfo "$r" nstype "${sec}rinfo")
	avail=$(vm_ndctl_avail "$r" "${sec}regions")
	want=$(vm_aligned "$r" "${sec}rinfo")
	if [ "$nstype" = 5 ] && [ -n "$want" ] && [ "$want" -gt 0 ] && [ "$avail" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "  $r: nstype '$nstype' (want 5), ndctl available_size '$avail' (want '$want')"
	fi
}

# vm_labelless_ok DESC REGION [SECTION]: assert a region is label-less: one
# raw namespace with a block device, ndctl available_size 0.
vm_labelless_ok() {
	local desc=$1 r=$2 sec=${3:-}
	local nstype avail bdev
	nstype=$(vm_rinfo "$r" nstype "${sec}rinfo")
	avail=$(vm_ndctl_avail "$r" "${sec}regions")
	bdev=$(vm_rinfo "$r" blockdev "${sec}rinfo")
	if [ "$nstype" = 4 ] && [ "$avail" = 0 ] && [ "$bdev" != - ] && [ -n "$bdev" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "  $r: nstype '$nstype' (want 4), ndctl available_size '$avail' (want 0), blockdev '$bdev'"
	fi
}

# vm_unit_ok DESC [SECTION]: the program's unit ran and succeeded.
vm_unit_ok() {
	local sec=${2:-unit} res status state
	res=$(vm_prop "$sec" Result)
	status=$(vm_prop "$sec" ExecMainStatus)
	state=$(vm_prop "$sec" ActiveState)
	if [ "$res" = success ] && [ "$status" = 0 ] && [ "$state" != failed ] &&
		[ "$(vm_prop "$sec" ExecMainStartTimestampMonotonic)" != 0 ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "  Result=$res ExecMainStatus=$status ActiveState=$state"
		vm_out "${sec/unit/unitlog}" | diag_stdin
	fi
}

# vm_unit_not_started_ok DESC [SECTION]: no process of the program's unit
# was started during the boot (it left the inactive state never).
vm_unit_not_started_ok() {
	local sec=${2:-unit} left started
	left=$(vm_prop "$sec" InactiveExitTimestampMonotonic)
	started=$(vm_prop "$sec" ExecMainStartTimestampMonotonic)
	if [ "$left" = 0 ] && [ "$started" = 0 ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "  InactiveExitTimestampMonotonic='$left' ExecMainStartTimestampMonotonic='$started'"
		vm_out "${sec/unit/unitlog}" | diag_stdin
	fi
}

# diag_stdin: stdin as TAP comments.
diag_stdin() {
	sed 's/^/#   /'
}

# vm_kconfig OPTION: its value (y, m, ...) in the guest kernel's config,
# empty when not set.
vm_kconfig() {
	local kdir
	kdir=$(dirname "$VM_KERNEL")
	while [ "$kdir" != / ] && [ ! -d "$kdir/lib/modules" ]; do
		kdir=$(dirname "$kdir")
	done
	cat "$kdir/boot/config-$VM_KVER" "$kdir/lib/modules/$VM_KVER/config" 2>/dev/null |
		sed -n "s/^$1=//p" | head -n1
}

# vm_release_ok: after a completed boot, TAP: the guest runs the kernel
# series of its release and at least its ndctl and systemd versions
# (tests/vm/releases).
vm_release_ok() {
	local series ndctl systemd k n sd
	read -r _ _ series ndctl systemd < <("$VM_LIBDIR/release-root" "$VM_RELEASE" info)
	k=$(sed -n 's/.*kernel=\([^ ]*\).*/\1/p' <<<"$VM_GUEST")
	n=$(sed -n 's/.*ndctl=\([0-9]*\).*/\1/p' <<<"$VM_GUEST")
	sd=$(sed -n 's/.*systemd=\([0-9]*\).*/\1/p' <<<"$VM_GUEST")
	if [ -n "$series" ] && "$VM_LIBDIR/release-root" "$VM_RELEASE" kernel-ok "$k" && [ "${n:-0}" -ge "$ndctl" ] &&
		[ "${sd:-0}" -ge "$systemd" ]; then
		ok "the $VM_RELEASE guest runs kernel $k ($series series), ndctl $n (>= $ndctl), systemd $sd (>= $systemd)"
	else
		not_ok "the $VM_RELEASE guest runs its release's kernel series '$series', ndctl >= '$ndctl', systemd >= '$systemd' (it runs: $VM_GUEST)"
	fi
}
