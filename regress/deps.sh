#!/bin/sh
# Install the Debian packages the build and the tests need, only those
# missing, and prepare what the daemon expects (the chroot directory).
# Run as root (no sudo needed).  Runs no apt-get at all when everything is
# there already.  Used by "make test", "make demo" and "make bench".

pkgs="build-essential pkg-config libbsd-dev libevent-dev libseccomp-dev libcap-dev byacc
mandoc clang valgrind iproute2 iptables pptpd pptp-linux tcpdump python3
python3-scapy conntrack procps psmisc nftables strace patch"

isroot() { [ "$(id -u)" -eq 0 ]; }

missing=""
for p in $pkgs; do
	s=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)
	case $s in
	*" ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

# Stop the pptpd that the package's own service started on the host, and
# only that one: the systemd unit, or the init script's pidfile.  Other
# pptpd processes (a test's, in a namespace) are left alone.
stop_packaged_pptpd() {
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]
	then
		systemctl stop pptpd.service >/dev/null 2>&1
	fi
	for pf in /run/pptpd.pid /var/run/pptpd.pid; do
		[ -f "$pf" ] || continue
		pid=$(tr -dc 0-9 <"$pf")
		[ -n "$pid" ] || continue
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null)
		# Only a pptpd on the host itself, not one in a namespace.
		[ "$(readlink "/proc/$pid/ns/net")" = \
		    "$(readlink /proc/1/ns/net)" ] || continue
		case $exe in
		*/pptpd) kill "$pid" 2>/dev/null && rm -f "$pf" ;;
		esac
	done
	return 0
}

if [ -n "$missing" ]; then
	if ! isroot; then
		echo "deps: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update || { echo "deps: apt-get update failed" >&2; exit 1; }
	# Ask the package scripts not to start services, unless the system
	# already has its own policy (which is then left as it is).
	ourpolicy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		ourpolicy=1
	fi
	apt-get install -y --no-install-recommends $missing
	rc=$?
	[ -n "$ourpolicy" ] && rm -f /usr/sbin/policy-rc.d
	if [ $rc -ne 0 ]; then
		echo "deps: apt-get install failed" >&2
		exit 1
	fi
	case " $missing " in
	*" pptpd "*) stop_packaged_pptpd ;;
	esac
fi

# The children chroot here: root-owned, not writable by others.
if isroot && [ ! -d /var/empty ]; then
	mkdir -p /var/empty && chown root:root /var/empty &&
	    chmod 755 /var/empty || exit 1
fi
exit 0
