/*
 * ipv4.h - IPv4 addresses and CIDR blocks as host-order integers: strict
 * dotted-quad parsing, containment and overlap, and the addresses AWS
 * reserves in every subnet (the first four and the last). Depends on libc.
 */
#ifndef DROVER_CORE_IPV4_H
#define DROVER_CORE_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipv4_cidr {
    uint32_t base; /* network address (host bits cleared) */
    int len;       /* prefix length 0..32 */
};

/* "a.b.c.d" (no leading '+', no spaces, each part 0..255). */
bool ipv4_parse(const char *s, uint32_t *out);
/* "a.b.c.d/n". */
bool ipv4_cidr_parse(const char *s, struct ipv4_cidr *out);
uint32_t ipv4_mask(int len);
bool ipv4_cidr_has(struct ipv4_cidr c, uint32_t ip);
bool ipv4_cidr_contains(struct ipv4_cidr outer, struct ipv4_cidr inner);
bool ipv4_cidr_overlap(struct ipv4_cidr a, struct ipv4_cidr b);
/* Inside c and one of the addresses AWS reserves in a subnet: the network
 * address, .1 (VPC router), .2 (DNS), .3 (future use) and the last
 * (broadcast). *why gets which ("network address", ...). */
bool ipv4_aws_reserved(struct ipv4_cidr c, uint32_t ip, const char **why);
/* Dotted quad into out (at least 16 bytes). */
void ipv4_format(uint32_t ip, char *out, size_t n);

#endif
