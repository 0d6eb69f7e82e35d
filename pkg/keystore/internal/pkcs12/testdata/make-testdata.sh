#!/bin/sh
# Regenerates the tool-made files of this folder (see README.md). The
# RFC 9579 vectors (rfc9579-*.b64) come from the RFC and are not made here.
# Needs keytool (JDK 17) and openssl (3.0). Passwords are test values.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Java SecretKeyEntry bags: keytool -genseckey into a PKCS#12 store.
rm -f secretkeys-keytool.p12
for spec in "aes128 AES 128" "hmacsha256 HmacSHA256 256" "desede DESede 168" "hmacsha512 HmacSHA512 512"; do
	set -- $spec
	keytool -J-Duser.language=en -genseckey -alias "$1" -keyalg "$2" -keysize "$3" \
		-keystore secretkeys-keytool.p12 -storetype pkcs12 -storepass secret-pass
done

# Keys Go cannot parse, exported by OpenSSL (default PBES2/AES-256, SHA-256 MAC).
for alg in DSA ED448; do
	name=$(echo "$alg" | tr 'A-Z' 'a-z')
	if [ "$alg" = DSA ]; then
		openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out "$tmp/p.pem"
		openssl genpkey -paramfile "$tmp/p.pem" -out "$tmp/$name.key"
	else
		openssl genpkey -algorithm "$alg" -out "$tmp/$name.key"
	fi
	openssl req -new -x509 -key "$tmp/$name.key" -subj "/CN=$name.uc.example.com" -days 3650 -out "$tmp/$name.crt"
	openssl pkcs12 -export -inkey "$tmp/$name.key" -in "$tmp/$name.crt" -name "$name.uc.example.com" \
		-passout pass:key-export -out "$name-openssl.p12"
done

# The secret keys as OpenSSL decrypts them (independently of our code):
# PBKDF2 and AES-256-CBC by hand from each bag's parameters.
openssl pkcs12 -in secretkeys-keytool.p12 -info -nodes -passin pass:secret-pass 2>/dev/null |
	awk '/friendlyName/ {name=$2} /^30 / {print name; print}' |
	while read -r name; read -r hex; do
		echo "$hex" | tr -d ' ' | xxd -r -p > "$tmp/epki.der"
		salt=$(openssl asn1parse -inform DER -in "$tmp/epki.der" | awk '/OCTET STRING/ {print; exit}' | sed 's/.*://')
		iv=$(openssl asn1parse -inform DER -in "$tmp/epki.der" | awk '/OCTET STRING/ {n++} n==2 {print; exit}' | sed 's/.*://')
		iter=$(openssl asn1parse -inform DER -in "$tmp/epki.der" | awk '/INTEGER/ {print; exit}' | sed 's/.*://')
		# The third OCTET STRING is the ciphertext: "off:d=N hl=H l= L prim: OCTET STRING".
		set -- $(openssl asn1parse -inform DER -in "$tmp/epki.der" | awk '/OCTET STRING/ {n++} n==3 {print; exit}' | sed 's/[:=]/ /g')
		off=$1 hl=$5 len=$7
		tail -c +$((off + hl + 1)) "$tmp/epki.der" | head -c "$len" > "$tmp/ct"
		key=$(openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt pass:secret-pass -kdfopt hexsalt:"$salt" \
			-kdfopt iter:"$(printf %d 0x"$iter")" PBKDF2 | tr -d :)
		printf '%s ' "$name"
		openssl enc -d -aes-256-cbc -K "$key" -iv "$iv" -in "$tmp/ct" |
			openssl asn1parse -inform DER | awk '/OBJECT|OCTET STRING/ {sub(/.*:/, ""); printf "%s ", $0} END {print ""}'
	done
