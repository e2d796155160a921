#!/usr/bin/env bash
# Adds bookworm-backports to apt's sources when the machine lacks it, served by the same Debian mirror
# the machine already uses for bookworm (read from its own sources, never named here).
# Exit codes: 0 present or added; 1 no mirror for bookworm found in the machine's sources.
set -euo pipefail
sources=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
grep -qs 'bookworm-backports' "${sources[@]}" && exit 0

# The first URI that serves the suite "bookworm": one-line "deb URI bookworm …" entries, then deb822
# stanzas whose Suites list it.
mirror=$(
    { grep -hs '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list || true; } |
        sed -E 's/\[[^]]*\]//' | awk '$3 == "bookworm" {print $2; exit}'
)
if [[ -z $mirror ]]; then
    mirror=$(awk '
        function flush() { if (uri != "" && suite && deb) { print uri; found = 1; exit } uri = ""; suite = 0; deb = 0 }
        /^[[:space:]]*$/ { flush(); next }
        /^[[:space:]]*#/ { next }
        tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
        tolower($1) == "uris:" { uri = $2 }
        tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
        END { if (!found) flush() }
    ' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
fi
if [[ -z $mirror ]]; then
    echo "backports: no apt source for bookworm to take the mirror from" >&2
    exit 1
fi
printf '%s\n' 'Types: deb' "URIs: $mirror" 'Suites: bookworm-backports' 'Components: main' \
    'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' >/etc/apt/sources.list.d/sriovps-bookworm-backports.sources
echo "backports: bookworm-backports added from $mirror"
