# shellcheck shell=bash
# Helpers for test steps run inside the guest (tests/vm/guest/run-step
# sources this before the step script). Output goes to the results serial
# port and is parsed on the host by vm_out / vm_rc (tests/vm/lib.sh).

# cap NAME CMD [ARG...]: run CMD, record its output (stdout and stderr) and
# its exit status under NAME. CMD's stdin is /dev/null and its output a pipe:
# it sees no terminal, as under a script or a unit.
cap() {
	local name=$1 rc
	shift
	printf '@@@BEGIN %s\n' "$name"
	"$@" </dev/null 2>&1 | cat
	rc=${PIPESTATUS[0]}
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
		-p InactiveExitTimestampMonotonic -p InactiveEnterTimestampMonotonic \
		-p InvocationID -p ConditionResult
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

# bus_info: one line per NVDIMM bus: name, provider, the device it hangs
# off and that device's driver and driver_override (sysfs).
bus_info() {
	local b dev
	for b in /sys/bus/nd/devices/ndbus*; do
		[ -e "$b" ] || continue
		dev=$(readlink -f "$b/..")
		printf '%s provider=%s parent=%s driver=%s override=%s\n' "${b##*/}" \
			"$(cat "$b/provider" 2>/dev/null)" "${dev##*/}" \
			"$(basename "$(readlink "$dev/driver" 2>/dev/null)")" \
			"$(cat "$dev/driver_override" 2>/dev/null)"
	done
}

# region_info: one line per region, from sysfs (the kernel's view):
#   regionN nstype=4|5 numa=N size=B avail=B align=B nmem=nmemA[,nmemB]
#   id=ID[,ID] flags=F[,F] blockdev=pmemN|- nssize=B|-
# nstype 4 (ND_DEVICE_NAMESPACE_IO) = label-less, 5 = labelled.
region_info() {
	local r m nm ids fl nmem bdev nssize ns
	for r in /sys/bus/nd/devices/region*; do
		[ -e "$r" ] || continue
		nm='' ids='' fl=''
		for m in "$r"/mapping[0-9]*; do
			[ -e "$m" ] || continue
			nmem=$(cut -d, -f1 "$m")
			nm=$nm${nm:+,}$nmem
			ids=$ids${ids:+,}$(cat "/sys/bus/nd/devices/$nmem/nfit/id" 2>/dev/null)
			fl=$fl${fl:+,}$(tr '\n' ' ' <"/sys/bus/nd/devices/$nmem/flags" | sed 's/ *$//; s/ /+/g')
		done
		ns=/sys/bus/nd/devices/namespace${r##*region}.0
		bdev=- nssize=-
		if [ -e "$ns" ]; then
			nssize=$(cat "$ns/size")
			if [ -d "$ns/block" ]; then
				bdev=$(ls "$ns/block")
			fi
		fi
		printf '%s nstype=%s numa=%s size=%s avail=%s align=%d nmem=%s id=%s flags=%s blockdev=%s nssize=%s\n' \
			"${r##*/}" "$(cat "$r/nstype")" "$(cat "$r/numa_node")" "$(cat "$r/size")" \
			"$(cat "$r/available_size")" "$(cat "$r/align")" "$nm" "$ids" "${fl:--}" "$bdev" "$nssize"
	done
}

# journal_mark: remember the journal's current end; prog_journal_since
# prints the program's records logged after it (JSON lines).
journal_mark() {
	journal_sync
	journalctl -q -n 1 -o cat --show-cursor --no-pager | sed -n 's/^-- cursor: //p' >/run/nli-journal-mark
}
# (Unfiltered: journalctl 252 combining --after-cursor with a match skips
# the first matching entry; the host keeps the program's records.)
prog_journal_since() {
	journal_sync
	journalctl -o json --no-pager --after-cursor="$(cat /run/nli-journal-mark)"
}

# labelless_live NMEM...: make the regions of these dimms label-less in the
# running system. Zeroing the labels is not enough (the kernel keeps the
# dimm's labelling flag until the dimm device goes away), so the NFIT bus is
# re-created afterwards: unbind and bind ACPI0012:00 from the NFIT driver.
labelless_live() {
	local drv bus
	drv=$(nfit_driver)
	[ -n "$drv" ] || return 1
	bus=$(find "$drv/" -maxdepth 1 -name 'ACPI0012:*' -printf '%f\n' | head -n1)
	[ -n "$bus" ] || return 1
	ndctl disable-region all || return 1
	ndctl zero-labels "$@" || return 1
	echo "$bus" >"$drv/unbind" || return 1
	echo "$bus" >"$drv/bind" || return 1
	udevadm settle -t 60
}

# nfit_driver: the sysfs directory of the NFIT driver: an ACPI driver named
# nfit up to Debian 13's kernel, a platform driver named acpi-nfit in 7.2.
nfit_driver() {
	local d
	for d in /sys/bus/acpi/drivers/nfit /sys/bus/platform/drivers/acpi-nfit; do
		[ -d "$d" ] && { echo "$d"; return 0; }
	done
	return 1
}

# wait_blockdevs N [SECONDS]: wait until N /dev/pmem* devices exist.
wait_blockdevs() {
	local i=0 n
	while [ "$i" -lt "${2:-60}" ]; do
		n=$(find /dev -maxdepth 1 -name 'pmem*' | wc -l)
		[ "$n" -ge "$1" ] && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# region_by_size BYTES: the region of that size (first one).
region_by_size() {
	region_info | awk -v s="size=$1" '{ for (i = 2; i <= NF; i++) if ($i == s) { print $1; exit } }'
}
# rfield REGION FIELD: a field of the region's region_info line.
rfield() {
	region_info | awk -v r="$1" -v f="$2" '
		$1 == r { for (i = 2; i <= NF; i++) if (index($i, f "=") == 1) print substr($i, length(f) + 2) }'
}

# hotplug_watch N [SECONDS]: tell the host to hot-add its dimms
# (vm_boot --hotplug-on @@@HOTPLUG-NOW), then report, as soon as it sees
# them, each new dimm appearing and getting its label flag (@@@APPEARED /
# @@@LABELLED NMEM UPTIME), until N new dimms are labelled or SECONDS (60)
# pass; @@@HOTPLUG-END last. Shell builtins only, so that the loop itself
# takes little of the guest's CPUs from the units it watches.
hotplug_watch() {
	local want=$1 secs=${2:-60} d n flags up _ start labelled=0 tick
	local -A old seen labelled_set
	# A read that times out on a FIFO nobody writes to: a sleep without a fork.
	rm -f /run/nli-tick && mkfifo /run/nli-tick && exec {tick}<>/run/nli-tick
	for d in /sys/bus/nd/devices/nmem*; do old[${d##*/}]=1; done
	read -r start _ </proc/uptime
	printf '@@@HOTPLUG-NOW\n'
	while [ "$labelled" -lt "$want" ]; do
		read -r up _ </proc/uptime
		[ "${up%.*}" -lt $((${start%.*} + secs)) ] || break
		for d in /sys/bus/nd/devices/nmem*; do
			n=${d##*/}
			if [ ! -e "$d" ] || [ -n "${old[$n]:-}" ]; then
				continue
			fi
			if [ -z "${seen[$n]:-}" ]; then
				seen[$n]=1
				printf '@@@APPEARED %s %s\n' "$n" "$up"
			fi
			flags=
			read -r flags <"$d/flags" 2>/dev/null
			if [ -z "${labelled_set[$n]:-}" ] && [[ " $flags " == *" label "* ]]; then
				labelled_set[$n]=1
				labelled=$((labelled + 1))
				printf '@@@LABELLED %s %s\n' "$n" "$up"
			fi
		done
		read -r -t 0.05 -u "$tick" _ || true
	done
	exec {tick}<&-
	printf '@@@HOTPLUG-END\n'
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
	cap "${p}rinfo" region_info
	cap "${p}unit" unit_props nvdimm-label-init.service
	cap "${p}unitlog" journalctl -b -u nvdimm-label-init.service --no-pager -o short-monotonic
	cap "${p}stamp" cat /var/lib/nvdimm-label-init/stamp
	cap "${p}journal" prog_journal
}

export -f cap capsh note journal_sync unit_props prog_journal wait_nvdimm \
	nmem_info region_info journal_mark prog_journal_since labelless_live \
	wait_blockdevs std_capture region_by_size rfield hotplug_watch
