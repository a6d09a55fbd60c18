// The object identifiers a certificate here names, as arcs (RFC 5280 §4.1, §4.2.1; RFC 5758 §3.2;
// RFC 4055 §5; RFC 8410 §3).

export const OID = {
  commonName: [2, 5, 4, 3],
  organizationName: [2, 5, 4, 10],
  basicConstraints: [2, 5, 29, 19],
  keyUsage: [2, 5, 29, 15],
  extKeyUsage: [2, 5, 29, 37],
  subjectAltName: [2, 5, 29, 17],
  subjectKeyIdentifier: [2, 5, 29, 14],
  authorityKeyIdentifier: [2, 5, 29, 35],
  serverAuth: [1, 3, 6, 1, 5, 5, 7, 3, 1],
  clientAuth: [1, 3, 6, 1, 5, 5, 7, 3, 2],
  ecdsaWithSha256: [1, 2, 840, 10045, 4, 3, 2],
  sha256WithRsaEncryption: [1, 2, 840, 113549, 1, 1, 11],
  ed25519: [1, 3, 101, 112],
} as const satisfies Record<string, readonly number[]>
