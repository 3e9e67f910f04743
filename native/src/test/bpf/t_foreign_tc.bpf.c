// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* t_foreign_tc.bpf.c: "another tool's" TC classifier that counts every
 * packet it sees and lets it go on (TC_ACT_UNSPEC: the next filter runs).
 * ForeignTcFilterTest attaches it next to flowgate's TC programs, with
 * iproute2 (tc filter ... bpf da object-pinned) or as a TCX link, and
 * checks that it still sees every packet. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} t_foreign_seen SEC(".maps");

SEC("tc")
int t_foreign_tc(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *seen = bpf_map_lookup_elem(&t_foreign_seen, &zero);

	if (seen)
		__sync_fetch_and_add(seen, 1);
	return TC_ACT_UNSPEC;
}
