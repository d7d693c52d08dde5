# Sourced by bench/cluster/batches.sh and bench/state/groups.sh: uprobes on functions of the
# release sandboxd, written to tracefs directly. RocksDB is linked into the binary (docs/storage.md,
# "Linking"), whose Swift code has DWARF and RocksDB's none, so `perf probe -x` refuses its
# functions ("Failed to find debug information"); a probe at the symbol's file offset needs none.
# add_uprobe GROUP NAME SYMBOL-PREFIX: probe the first symbol starting with SYMBOL-PREFIX as the
# event GROUP:NAME; remove_uprobes GROUP NAME...: remove them (also when never added).
UPROBE_EVENTS=/sys/kernel/tracing/uprobe_events
UPROBE_BINARY=$(readlink -f "${SANDBOXD:-.build-shipped/release/sandboxd}")
[ -x "$UPROBE_BINARY" ] || { echo "no $UPROBE_BINARY (run bench/cluster/run.sh once to build it)" >&2; exit 1; }

add_uprobe() {
    local group=$1 name=$2 symbol=$3 address segment_offset segment_address
    address=$(nm "$UPROBE_BINARY" | awk -v s="$symbol" 'index($3, s) == 1 && !found {print $1; found = 1}')
    [ -n "$address" ] || { echo "no $symbol... in $UPROBE_BINARY" >&2; return 1; }
    # The symbol's file offset: its address less its segment's address plus the segment's offset.
    read -r segment_offset segment_address < <(readelf -lW "$UPROBE_BINARY" | awk '$1 == "LOAD" && / R E / {print $2, $3}')
    echo "p:$group/$name $UPROBE_BINARY:$(printf '0x%x' $((16#$address - segment_address + segment_offset)))" >>"$UPROBE_EVENTS"
}

remove_uprobes() {
    local group=$1 name
    shift
    for name in "$@"; do echo "-:$group/$name" >>"$UPROBE_EVENTS" 2>/dev/null || true; done
}
