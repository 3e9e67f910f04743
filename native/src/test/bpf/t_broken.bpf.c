// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* t_broken.bpf.c: reads packet bytes without a bounds check, which the
 * verifier must refuse (BpfObjectTest expects its log in the exception). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int t_broken(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	return data[20] == 6 ? XDP_DROP : XDP_PASS;
}
