#!/bin/sh
# gre offload runs nft(8) from the fixed path the manual names, never from
# the daemon's own PATH: the daemon is started with a directory of ours
# first in its PATH, holding an "nft" that only records that it ran.  It
# must not run; the real nft must load the table (the table is there and
# a call is offloaded as usual).
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
mkdir "$TMP/evil" || fail "mkdir"
cat >"$TMP/evil/nft" <<EOS
#!/bin/sh
echo "ran: \$*" >>"$TMP/evil-ran"
cat >/dev/null
exit 0
EOS
chmod 755 "$TMP/evil/nft"
# The daemon, started with that PATH (it execs itself by /proc/self/exe).
cat >"$TMP/wrap" <<EOS
#!/bin/sh
PATH=$TMP/evil:\$PATH
export PATH
command -v nft >"$TMP/wrap-saw"
exec "$PPTPPROXY" "\$@"
EOS
chmod 755 "$TMP/wrap"
PPTPPROXY=$TMP/wrap
offload_proxy 1
[ "$(cat "$TMP/wrap-saw")" = "$TMP/evil/nft" ] ||
    fail "a PATH search in the daemon's environment would not find our nft"
lab_wait_log "gre offload:" 5 || fail "no gre offload line at start-up"
[ -e "$TMP/evil-ran" ] &&
    fail "the nft found through the daemon's PATH ran: $(cat "$TMP/evil-ran")"
nsx fw nft list table ip pptpproxy >/dev/null 2>&1 ||
    fail "no table ip pptpproxy: the nft of the fixed path did not load it"
grep -q "gre offload: the kernel forwards" "$PLOG" ||
    fail "the daemon does not say the kernel forwards GRE"
lab_drive c1 -n 100 -w 8 -t 60 192.0.2.1 >"$TMP/drive.out" 2>&1 ||
    { cat "$TMP/drive.out"; fail "frames did not come back intact"; }
cat "$TMP/drive.out"
note "the nft in the daemon's PATH did not run; the table was loaded"
exit 0
