// Frames captured with tcpdump -xx on a veth in a network namespace (Linux 6.x kernel, arping 2.23,
// ndisc6 1.0.5). Host A is 02:00:5e:10:00:0a (198.51.100.1, fe80::5eff:fe10:a), host B is
// 02:00:5e:10:00:0b (198.51.100.20, 2001:db8:100::20). To regenerate: two namespaces joined by a
// veth with those MACs and addresses (nodad), `tcpdump -i <B side> -w cap.pcap 'arp or icmp6'` in B,
// then `arping -c 1 -i <A side> <ip>` and `ndisc6 -1 -r 1 <ip> <A side>` in A; `tcpdump -r cap.pcap
// -xx` prints the bytes. They are kept as captured, nothing recomputed.
export const captures = {
  /** arping -c 1 198.51.100.20 from A: broadcast request, padded to 58 bytes by arping. */
  arpRequestFor20: 'ffffffffffff02005e10000a0806000108000604000102005e10000ac6336401000000000000c633641400000000000000000000000000000000',
  /** B's kernel answering it (42 bytes on the veth, no padding). */
  arpReplyFrom20: '02005e10000a02005e10000b0806000108000604000202005e10000bc633641402005e10000ac6336401',
  /** arping for 198.51.100.10, which nobody owns. */
  arpRequestFor10: 'ffffffffffff02005e10000a0806000108000604000102005e10000ac6336401000000000000c633640a00000000000000000000000000000000',
  /** arping -U -S 198.51.100.1 198.51.100.1: an unsolicited (gratuitous) request, target MAC broadcast. */
  arpGratuitousFromA: 'ffffffffffff02005e10000a0806000108000604000102005e10000ac6336401ffffffffffffc633640100000000000000000000000000000000',
  /** ndisc6 2001:db8:100::20 from A: NS to the solicited-node group, with a source link-layer option. */
  nsFor20: '3333ff00002002005e10000a86dd6009a86d00203afffe8000000000000000005efffe10000aff0200000000000000000001ff00002087008ef00000000020010db8010000000000000000000020010102005e10000a',
  /** B's kernel answering: source is the target itself, Solicited and Override set, TLLA option. */
  naFrom20: '02005e10000a02005e10000b86dd6000000000203aff20010db8010000000000000000000020fe8000000000000000005efffe10000a8800fc3a6000000020010db8010000000000000000000020020102005e10000b',
  /** ndisc6 2001:db8:100::10 from A (the address our responder announces in the integration spec). */
  nsFor10: '3333ff00001002005e10000a86dd6006a79d00203afffe8000000000000000005efffe10000aff0200000000000000000001ff00001087008f100000000020010db8010000000000000000000010010102005e10000a',
  /** Unicast NUD probe from B's kernel to A's link-local address. */
  nsUnicastNud: '02005e10000a02005e10000b86dd6000000000203afffe8000000000000000005efffe10000bfe8000000000000000005efffe10000a870004b600000000fe8000000000000000005efffe10000a010102005e10000b',
  /** A's kernel answering it: Solicited only, and no TLLA option (24-byte message, RFC 4861 §7.2.4 allows it). */
  naNoOptions: '02005e10000b02005e10000a86dd6000000000183afffe8000000000000000005efffe10000afe8000000000000000005efffe10000b880024da40000000fe8000000000000000005efffe10000a',
  /** DAD probe for 2001:db8:100::30: source ::, no SLLA, a Nonce option (type 14, RFC 7527). */
  dadProbe: '3333ff00003002005e10000a86dd6000000000203aff00000000000000000000000000000000ff0200000000000000000001ff0000308700fbaf0000000020010db80100000000000000000000300e010faf3656fbd0',
  /** A Router Solicitation (type 133): IPv6 and ICMPv6, but not for the NDP responder. */
  routerSolicitation: '33330000000202005e10000b86dd6000000000103afffe8000000000000000005efffe10000bff0200000000000000000000000000028500bef700000000010102005e10000b',
} as const
