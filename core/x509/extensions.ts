// The v3 extensions of IronLB's certificates (RFC 5280 §4.2.1): basic constraints and key usage
// (critical), extended key usage, subject alternative names, and key identifiers. Each builder
// returns one DER Extension; certificate.ts picks which ones a role gets.
import { ipBytes } from '../packet/ipBytes.js'
import type { IP } from '../net/address.js'
import {
  asciiBytes,
  derBoolean,
  derInteger,
  derNamedBits,
  derOctetString,
  derOid,
  implicitPrimitive,
  sequence,
  type Bytes,
} from './der.js'
import { OID } from './oid.js'

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }; DER omits a FALSE default. */
const extension = (oid: readonly number[], critical: boolean, value: Bytes): Bytes =>
  sequence([derOid(oid), ...(critical ? [derBoolean(true)] : []), derOctetString(value)])

/** §4.2.1.9. A leaf's is an empty SEQUENCE (cA defaults to FALSE). */
export const basicConstraints = (authority: boolean, pathLength: number | undefined): Bytes =>
  extension(OID.basicConstraints, true, sequence(authority ? [derBoolean(true), ...(pathLength === undefined ? [] : [derInteger(BigInt(pathLength))])] : []))

/** §4.2.1.3 bit numbers. */
export const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const

export const keyUsage = (bits: readonly number[]): Bytes => extension(OID.keyUsage, true, derNamedBits(bits))

/** §4.2.1.12. */
export const extendedKeyUsage = (purposes: ReadonlyArray<readonly number[]>): Bytes => extension(OID.extKeyUsage, false, sequence(purposes.map(derOid)))

/** §4.2.1.6: dNSName [2] IA5String, iPAddress [7] OCTET STRING (4 or 16 octets). Non-critical: the subject is never empty here. */
export const subjectAltName = (dnsNames: readonly string[], ipAddresses: readonly IP[]): Bytes =>
  extension(OID.subjectAltName, false, sequence([...dnsNames.map((n) => implicitPrimitive(2, asciiBytes(n))), ...ipAddresses.map((ip) => implicitPrimitive(7, ipBytes(ip)))]))

/** §4.2.1.2. */
export const subjectKeyIdentifier = (keyId: Bytes): Bytes => extension(OID.subjectKeyIdentifier, false, derOctetString(keyId))

/** §4.2.1.1: AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }. */
export const authorityKeyIdentifier = (keyId: Bytes): Bytes => extension(OID.authorityKeyIdentifier, false, sequence([implicitPrimitive(0, keyId)]))
