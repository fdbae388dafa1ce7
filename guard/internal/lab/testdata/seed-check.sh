#!/usr/bin/env bash
# The baseline netguard replaces: the network check and reset that the seed
# incident's write-up ends with (its section "增强的网络诊断脚本", functions
# check_network_stack_health, reset_network_stack and auto_fix_network),
# translated to Linux for the lab. The checks are the write-up's, in its
# order, with the same commands where Linux has them:
#   ping -c 1 -W 1000 (macOS, ms)  -> ping -c 1 -W 1 (Linux, s)
#   arp -d -a                      -> ip neigh flush all
#   route -n flush                 -> ip route flush cache
#   dscacheutil -flushcache        -> resolvectl flush-caches
# and its hard-coded router (192.168.3.1) and public target (8.8.8.8)
# replaced by the lab's, so it never leaves the lab's namespaces. The lab
# runs it as root, where the write-up's "sudo" adds nothing; sudo is a
# no-op here so that the script needs no sudoers set-up.
#
# Usage (inside the lab's client namespace): seed-check.sh check|fix
# Exit 0 when every check passes, 1 otherwise.
gw=${GW_IP:-198.18.3.1}
ext=${EXT_IP:-203.0.113.5}
sudo() { "$@"; }

check_network_stack_health() {
    echo "=== network stack health ==="
    local issues=0

    echo "1. basic connectivity:"
    if ping -c 1 -W 1 "$gw" >/dev/null 2>&1; then
        echo "  ok   gateway answers"
    else
        echo "  FAIL gateway does not answer"
        issues=$((issues + 1))
    fi

    echo "2. privileged and unprivileged network operations:"
    if sudo traceroute -m 1 "$ext" >/dev/null 2>&1; then
        echo "  ok   traceroute with sudo"
    else
        echo "  FAIL traceroute with sudo"
        issues=$((issues + 1))
    fi
    if traceroute -m 1 "$ext" >/dev/null 2>&1; then
        echo "  ok   traceroute"
    else
        echo "  FAIL traceroute"
        issues=$((issues + 1))
    fi

    echo "3. ARP table consistency:"
    if arp -a | grep -F "$gw" >/dev/null; then
        echo "  ok   gateway ARP entry present"
        if ping -c 1 -W 1 "$gw" >/dev/null 2>&1; then
            echo "  ok   ARP entry works"
        else
            echo "  FAIL ARP entry present but dead"
            issues=$((issues + 1))
        fi
    else
        echo "  FAIL gateway ARP entry missing"
        issues=$((issues + 1))
    fi

    echo "4. system resources:"
    local sockets
    sockets=$(lsof -i | wc -l)
    echo "  sockets: $sockets"
    if [ "$sockets" -gt 1000 ]; then
        echo "  WARN many sockets, a leak is possible"
        issues=$((issues + 1))
    fi

    echo
    if [ "$issues" -eq 0 ]; then
        echo "network stack healthy"
        return 0
    fi
    echo "$issues problems found; a network stack reset is suggested"
    return 1
}

reset_network_stack() {
    echo "=== network stack reset ==="
    sudo ip neigh flush all 2>/dev/null || true
    sudo ip route flush cache 2>/dev/null || true
    sudo resolvectl flush-caches 2>/dev/null || true
    sleep 3
    if ping -c 2 -W 1 "$gw" >/dev/null 2>&1; then
        echo "reset worked"
        return 0
    fi
    echo "reset failed; the interface may need a restart"
    return 1
}

auto_fix_network() {
    if ! check_network_stack_health; then
        if reset_network_stack; then
            echo "repaired"
            return 0
        fi
        echo "repair failed"
        return 1
    fi
}

case "${1:-fix}" in
check) check_network_stack_health ;;
fix) auto_fix_network ;;
*)
    echo "usage: seed-check.sh check|fix" >&2
    exit 2
    ;;
esac
