#!/bin/sh
# Several -x commands are tried in order until one allows; one that
# crashes counts as a refusal of that command only.
. "$(dirname "$0")/lib.sh"
lab_topology 1
lab_pptpd
printf '#!/bin/sh\nkill -SEGV $$\n' > "$TMP/crash"; chmod 755 "$TMP/crash"
lab_proxy fw -p 192.0.2.1,198.51.100.2 -x "$TMP/crash" -x /bin/false -x "/bin/sh -c \"exit 0\""
lab_drive c1 -n 20 -t 30 192.0.2.1 || fail "third command should allow"
grep -q "allowed (acl command" "$PLOG" || fail "no allow line"
exit 0
