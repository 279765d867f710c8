# shellcheck shell=bash
# Simulated InfiniBand fabric for scripts and tests: ibsim + opensm (Debian
# packages ibsim-utils, opensm). Source this file, then:
#
#   fabric_start fabrics/fat-tree-small.net   # ibsim, then opensm; waits for SUBNET UP
#   fabric_run smpquery nodeinfo 1            # any libibumad program, on H1
#   SIM_HOST=H7 fabric_run perfquery          # ... attached to another node
#   fabric_console 'Unlink "leaf1"[5]'       # an ibsim console command ("help" lists
#   fabric_console 'PerformanceSet "H5"[1] PortCounters.SymbolErrorCounter=5'  # them)
#   fabric_stop                               # also runs on EXIT/INT/TERM
#
# Call fabric_start in the current shell, not in a pipeline or $(...): it sets
# variables and traps there. ibsim and opensm are not children of that shell.
#
# All runtime state (console FIFO, logs, pids, opensm cache/dumps) lives in
# $FABRIC_DIR, a mktemp -d directory removed by fabric_stop (set
# FABRIC_KEEP=1 to keep it). Each fabric gets its own IBSIM_SOCKNAME, so
# several fabrics (other engineers, parallel tests) can run on one machine.
#
# ibsim quirks handled here:
# - ibsim reads console commands from stdin and spins on EOF, so its stdin is a
#   FIFO it opens read-write itself: it never sees EOF, and the FIFO doubles as
#   the console (fabric_console writes to it).
# - /usr/bin/ibsim-run drops libumad2sim when LD_PRELOAD is already set (it
#   appends the literal "sim_so", ibsim 0.10), so fabric_run sets LD_PRELOAD
#   itself: libumad2sim first, then $FABRIC_PRELOAD.
# - libumad2sim creates ./sys-<pid> (a fake sysfs) in the current directory and
#   removes it at exit; a killed client leaves it behind. opensm runs in
#   $FABRIC_DIR for that reason.
# - ibsim sizes its tables from -N/-S/-P (defaults 2048 nodes, 256 switches):
#   fabric_start derives them from the net file, so 2,048-host trees load.
# - ibsim warns "cannot parse remote lid and connection type" for every port
#   line without ibnetdiscover's "# ... lid N 4xEDR" tail: harmless, in ibsim.log.
# - libumad2sim (ibsim 0.10 to 0.12) delivers only the first 224 bytes of a
#   received MAD: its receive buffer is sizeof(struct sim_request) = 288 bytes,
#   64 of them the ib_user_mad header, and read() copies 32 bytes of heap past
#   it into MAD bytes 224-255. Do not compare those bytes under ibsim.
# - opensm buffers its log unless force_log_flush is set (our opensm.conf).
# - ibsim has 10 client slots and never notices a client that died without
#   disconnecting (kill -9): the slot stays taken until ibsim restarts.
# - opensm caches guid2lid in OSM_CACHE_DIR (default /var/cache/opensm): pointed
#   at $FABRIC_DIR so LIDs depend only on the net file.

FABRIC_UMAD2SIM=${FABRIC_UMAD2SIM:-}
FABRIC_DIR=
FABRIC_IBSIM_PID=
FABRIC_OPENSM_PID=
# opensm options: -s 0 turns periodic sweeps off so MAD counts (and therefore
# PortCounters) depend only on what we send; set FABRIC_OSM_ARGS="" to sweep.
FABRIC_OSM_ARGS=${FABRIC_OSM_ARGS--s 0}
FABRIC_TIMEOUT=${FABRIC_TIMEOUT:-60}
# Node opensm attaches to (ibsim nodeid or NodeDescription); empty: the first
# node of the net file. Extra ibsim options: FABRIC_IBSIM_ARGS.
FABRIC_SM_HOST=${FABRIC_SM_HOST:-}

_fabric_log() { printf 'fabric: %s\n' "$*" >&2; }

_fabric_now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

_fabric_alive() { # PID: running and not a zombie (init may reap late)
	local st
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[[ ${st:0:1} != Z ]]
}

_fabric_find_umad2sim() {
	[[ -n $FABRIC_UMAD2SIM ]] && return 0
	local f
	for f in /usr/lib/*/umad2sim/libumad2sim.so /usr/lib/umad2sim/libumad2sim.so \
		/usr/local/lib/umad2sim/libumad2sim.so; do
		[[ -e $f ]] && { FABRIC_UMAD2SIM=$f; return 0; }
	done
	_fabric_log "libumad2sim.so not found (Debian package ibsim-utils)"
	return 1
}

# fabric_start NETFILE: start ibsim and opensm, wait for the subnet to come up.
# Sets FABRIC_DIR and exports IBSIM_SOCKNAME; prints timings to stderr and sets
# FABRIC_IBSIM_MS / FABRIC_OPENSM_MS (milliseconds to ready).
fabric_start() {
	local net=$1 t0 t1 t2 deadline
	[[ -r $net ]] || { _fabric_log "cannot read net file $net"; return 1; }
	[[ -z $FABRIC_DIR ]] || { _fabric_log "already started ($FABRIC_DIR)"; return 1; }
	_fabric_find_umad2sim || return 1
	command -v ibsim >/dev/null && command -v opensm >/dev/null || {
		_fabric_log "ibsim and opensm are needed (scripts/install-deps)"; return 1; }
	net=$(realpath "$net")

	FABRIC_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ibmad-fabric.XXXXXX")
	trap fabric_stop EXIT
	trap 'fabric_stop; exit 130' INT
	trap 'fabric_stop; exit 143' TERM
	export IBSIM_SOCKNAME="ibmad-${FABRIC_DIR##*.}"
	mkfifo "$FABRIC_DIR/console"
	mkdir -p "$FABRIC_DIR/osm-cache" "$FABRIC_DIR/osm-tmp"
	# Our own config (not /etc/opensm/opensm.conf): the log is flushed per line,
	# or "SUBNET UP" could sit in a stdio buffer.
	echo "force_log_flush TRUE" >"$FABRIC_DIR/opensm.conf"

	# ibsim defaults to 2048 nodes, 256 switches, 13312 ports: size it to the file.
	local size
	size=$(awk '/^(Hca|Ca|Rt|Switch)[ \t]/ { n++; s += /^Switch/; p += $2 + 1 }
		END { printf "-N %d -S %d -P %d", n + 64, s + 16, p + 256 }' "$net")

	t0=$(_fabric_now_ms)
	# Each daemon starts from a throwaway subshell, so it is not a child of the
	# caller's shell (a bare `wait` there would never return; init reaps it).
	# setsid gives it its own process group (pgid = pid) for fabric_stop, and
	# does not fork: a background job of a non-interactive shell never leads a group.
	# <> opens the FIFO read-write: ibsim holds a writer itself, never sees EOF.
	# shellcheck disable=SC2086 # size and FABRIC_IBSIM_ARGS are word lists
	FABRIC_IBSIM_PID=$(setsid ibsim -s $size ${FABRIC_IBSIM_ARGS:-} "$net" \
		<>"$FABRIC_DIR/console" >"$FABRIC_DIR/ibsim.log" 2>&1 & echo $!)
	echo "$FABRIC_IBSIM_PID" >"$FABRIC_DIR/ibsim.pid"
	# Ready when its control socket is bound (abstract namespace; the name
	# ends in a NUL that /proc/net/unix shows as "@").
	deadline=$((SECONDS + FABRIC_TIMEOUT))
	until grep -qF " @$IBSIM_SOCKNAME:ctl@" /proc/net/unix; do
		if ! _fabric_alive "$FABRIC_IBSIM_PID" || ((SECONDS > deadline)); then
			_fabric_log "ibsim did not start; log:"
			grep -v "cannot parse remote lid" "$FABRIC_DIR/ibsim.log" >&2
			fabric_stop; return 1
		fi
		sleep 0.01
	done
	t1=$(_fabric_now_ms)

	# In $FABRIC_DIR: libumad2sim puts its fake sysfs in the current directory.
	# shellcheck disable=SC2086 # FABRIC_OSM_ARGS is a word list
	FABRIC_OPENSM_PID=$(cd "$FABRIC_DIR" || exit 1; OSM_CACHE_DIR="$FABRIC_DIR/osm-cache" \
		OSM_TMP_DIR="$FABRIC_DIR/osm-tmp" LD_PRELOAD="$FABRIC_UMAD2SIM" SIM_HOST="$FABRIC_SM_HOST" \
		setsid opensm -F "$FABRIC_DIR/opensm.conf" -f "$FABRIC_DIR/opensm.log" \
		--dump_files_dir "$FABRIC_DIR/osm-tmp" $FABRIC_OSM_ARGS \
		>"$FABRIC_DIR/opensm.out" 2>&1 </dev/null & echo $!)
	echo "$FABRIC_OPENSM_PID" >"$FABRIC_DIR/opensm.pid"
	until grep -q "SUBNET UP" "$FABRIC_DIR/opensm.log" 2>/dev/null; do
		if ! _fabric_alive "$FABRIC_OPENSM_PID" || ((SECONDS > deadline)); then
			_fabric_log "opensm did not bring the subnet up; log tail:"
			tail -20 "$FABRIC_DIR/opensm.log" >&2 2>/dev/null
			cat "$FABRIC_DIR/opensm.out" >&2
			fabric_stop; return 1
		fi
		sleep 0.02
	done
	t2=$(_fabric_now_ms)
	FABRIC_IBSIM_MS=$((t1 - t0)) FABRIC_OPENSM_MS=$((t2 - t1))
	_fabric_log "up in $((t2 - t0)) ms (ibsim ${FABRIC_IBSIM_MS} ms, opensm to SUBNET UP ${FABRIC_OPENSM_MS} ms); state in $FABRIC_DIR"
}

# fabric_run CMD...: run a libibumad program on the simulated fabric, attached
# to $SIM_HOST (default: the first node of the net file, H1 for gen-fat-tree).
# Extra preloads (e.g. a MAD capture shim) go in FABRIC_PRELOAD, after umad2sim.
fabric_run() {
	[[ -n $FABRIC_DIR ]] || { _fabric_log "fabric_run: no fabric started"; return 1; }
	LD_PRELOAD="$FABRIC_UMAD2SIM${FABRIC_PRELOAD:+:$FABRIC_PRELOAD}" "$@"
}

# fabric_console CMD: send one command to ibsim's console (output: ibsim.log).
fabric_console() {
	[[ -n $FABRIC_DIR ]] || { _fabric_log "fabric_console: no fabric started"; return 1; }
	printf '%s\n' "$*" >"$FABRIC_DIR/console"
}

_fabric_live_in_group() { # PGID: print pids of live (non-zombie) members
	# (a zombie waits for its parent to reap it: it holds no socket or file)
	local p
	for p in $(pgrep -g "$1"); do
		! _fabric_alive "$p" || echo "$p"
	done
}

_fabric_kill_group() { # PGID: TERM, wait up to 2 s, then KILL
	local pg=$1 sig i
	[[ -n $pg ]] || return 0
	for sig in TERM KILL; do
		kill -$sig -- "-$pg" 2>/dev/null || break
		for ((i = 0; i < 200; i++)); do
			[[ -z $(_fabric_live_in_group "$pg") ]] && break 2
			sleep 0.01
		done
	done
	[[ -z $(_fabric_live_in_group "$pg") ]]
}

# fabric_stop: stop opensm, then ibsim (whole process groups), check nothing is
# left, remove $FABRIC_DIR. Idempotent; installed as the EXIT/INT/TERM trap.
fabric_stop() {
	local rc=0
	[[ -n $FABRIC_DIR ]] || return 0
	_fabric_kill_group "$FABRIC_OPENSM_PID" || rc=1
	_fabric_kill_group "$FABRIC_IBSIM_PID" || rc=1
	# (pgrep -g 0 would mean "my own group": only ask about groups we started.)
	local pg
	for pg in $FABRIC_OPENSM_PID $FABRIC_IBSIM_PID; do
		if [[ -n $(_fabric_live_in_group "$pg") ]]; then
			_fabric_log "processes left behind in group $pg: "$(_fabric_live_in_group "$pg"); rc=1
		fi
	done
	if [[ ${FABRIC_KEEP:-0} == 1 ]]; then
		_fabric_log "state kept in $FABRIC_DIR"
	else
		rm -rf "$FABRIC_DIR"
	fi
	FABRIC_DIR= FABRIC_IBSIM_PID= FABRIC_OPENSM_PID=
	trap - EXIT INT TERM
	return $rc
}
