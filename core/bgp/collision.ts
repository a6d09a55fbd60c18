// Connection collision (RFC 4271 §6.8): when the peer and this speaker have each opened a connection,
// the one opened by the speaker with the higher BGP Identifier stays. Identifiers compare as
// unsigned 32-bit numbers; an equal pair (possible between ASes, RFC 6286) keeps the one we dialled.
type Survivor = 'Dialled' | 'Accepted'

export const winner = (localRouterId: number, peerRouterId: number): Survivor => ((localRouterId >>> 0) >= (peerRouterId >>> 0) ? 'Dialled' : 'Accepted')
