#!/bin/sh
# Install the Debian packages the build and the tests need, only those
# missing, and prepare what the daemon expects (the chroot directory).
# Run as root.  Quick (no apt-get at all) when everything is there.

pkgs="build-essential pkg-config libbsd-dev libevent-dev libseccomp-dev byacc
mandoc clang valgrind iproute2 iptables pptpd pptp-linux tcpdump python3
python3-scapy conntrack procps psmisc"

missing=""
for p in $pkgs; do
	s=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null)
	case $s in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || exit 1
	# Keep the pptpd package's own service from starting on the host.
	printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	rc=$?
	rm -f /usr/sbin/policy-rc.d
	[ $rc -eq 0 ] || { echo "deps: apt-get install failed" >&2; exit 1; }
fi

# A pptpd the package started on the host would hold port 1723 there.
if [ -f /run/pptpd.pid ] && [ "$(id -u)" -eq 0 ]; then
	pid=$(cat /run/pptpd.pid)
	if [ -n "$pid" ] && grep -q pptpd "/proc/$pid/comm" 2>/dev/null; then
		kill "$pid"
	fi
fi
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl disable --now pptpd >/dev/null 2>&1 || true
fi

# The children chroot here: root-owned, not writable by others.
if [ "$(id -u)" -eq 0 ] && [ ! -d /var/empty ]; then
	mkdir -p /var/empty && chmod 755 /var/empty
fi
exit 0
