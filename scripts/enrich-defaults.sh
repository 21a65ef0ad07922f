#!/usr/bin/env bash
# Installs teiten's default enrichment databases into a store: the region
# database from the CC0 npm package @ip-location-db/geo-whois-asn-country-mmdb
# and the AS database from @ip-location-db/asn (CC BY 4.0: RouteViews, DB-IP,
# NRO), each pinned by version and by the SHA-256 of its tarball, fetched
# with `npm pack` (the npm registry is a registry this project may reach)
# into a cache so later runs make no network call.
#
#   bash scripts/enrich-defaults.sh TEITEN STORE
set -euo pipefail
T=${1:?usage: enrich-defaults.sh TEITEN STORE}
STORE=${2:?usage: enrich-defaults.sh TEITEN STORE}
CACHE=${TEITEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/teiten}
VERSION=2.3.2026061719
GEO_PKG=@ip-location-db/geo-whois-asn-country-mmdb
GEO_TGZ=ip-location-db-geo-whois-asn-country-mmdb-$VERSION.tgz
GEO_SHA=91757a1b06cdcd1955f292e4c4cfc54e091204f998e159a3187f7a2ef3724be0
ASN_PKG=@ip-location-db/asn
ASN_TGZ=ip-location-db-asn-$VERSION.tgz
ASN_SHA=b9425daf2f011c28f8586685d4f89166e77627e2c15fd93c6262c3e2dead6153
DATE=2026-06-17 # the packages' build date (their version is YYYYMMDDHH-stamped)

fetch() { # fetch PKG TGZ SHA: the verified tarball's path on stdout
    local pkg=$1 tgz=$2 sha=$3
    mkdir -p "$CACHE"
    if [ ! -f "$CACHE/$tgz" ] || ! echo "$sha  $CACHE/$tgz" | sha256sum -c --quiet 2> /dev/null; then
        rm -f "$CACHE/$tgz"
        (cd "$CACHE" && npm pack --silent "$pkg@$VERSION" > /dev/null) ||
            { echo "enrich-defaults: npm pack $pkg@$VERSION failed" >&2; return 1; }
    fi
    echo "$sha  $CACHE/$tgz" | sha256sum -c --quiet ||
        { echo "enrich-defaults: $CACHE/$tgz does not match its pinned SHA-256" >&2; return 1; }
    echo "$CACHE/$tgz"
}

geo=$(fetch "$GEO_PKG" "$GEO_TGZ" "$GEO_SHA")
asn=$(fetch "$ASN_PKG" "$ASN_TGZ" "$ASN_SHA")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$geo" -C "$work" package/geo-whois-asn-country.mmdb
mkdir -p "$work/asn"
tar -xzf "$asn" -C "$work/asn" package/asn-ipv4.csv package/asn-ipv6.csv
"$T" geo build --store "$STORE" --quiet --mmdb "$work/package/geo-whois-asn-country.mmdb" \
    --date "$DATE" \
    --licence "CC0-1.0 ($GEO_PKG@$VERSION, sha256 $GEO_SHA); data: NRO delegated statistics, CC BY 4.0 (nro.net)"
"$T" asn build --store "$STORE" --quiet \
    --csv "$work/asn/package/asn-ipv4.csv" --csv "$work/asn/package/asn-ipv6.csv" --date "$DATE" \
    --licence "CC BY 4.0 ($ASN_PKG@$VERSION, sha256 $ASN_SHA): RouteViews, DB-IP (dbip.com), NRO"
echo "enrich-defaults: region and AS databases of $DATE installed in $STORE"
