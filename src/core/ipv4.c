/*
 * ipv4.c - IPv4 address and CIDR parsing and arithmetic (see ipv4.h).
 */
#include "core/ipv4.h"

#include <stdio.h>
#include <stdlib.h>

/* count dotted parts, then '/' and a prefix when cidr */
static bool parse(const char *s, uint32_t *ip, int *len, bool cidr)
{
    uint32_t v[5];
    int parts = cidr ? 5 : 4;
    if (!s)
        return false;
    for (int i = 0; i < parts; i++) {
        char *end;
        if (*s < '0' || *s > '9')
            return false;
        unsigned long x = strtoul(s, &end, 10);
        char want = i < 3 ? '.' : (i == 3 && cidr) ? '/' : '\0';
        if (x > (i == 4 ? 32ul : 255ul) || end == s || end - s > 3 || *end != want)
            return false;
        v[i] = (uint32_t)x;
        s = end + (i < parts - 1);
    }
    *ip = (v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3];
    if (len)
        *len = cidr ? (int)v[4] : 32;
    return true;
}

bool ipv4_parse(const char *s, uint32_t *out)
{
    return parse(s, out, NULL, false);
}

uint32_t ipv4_mask(int len)
{
    return len <= 0 ? 0 : len >= 32 ? 0xffffffffu : 0xffffffffu << (32 - len);
}

bool ipv4_cidr_parse(const char *s, struct ipv4_cidr *out)
{
    uint32_t ip;
    int len;
    if (!parse(s, &ip, &len, true))
        return false;
    out->base = ip & ipv4_mask(len);
    out->len = len;
    return true;
}

bool ipv4_cidr_has(struct ipv4_cidr c, uint32_t ip)
{
    return (ip & ipv4_mask(c.len)) == c.base;
}

bool ipv4_cidr_contains(struct ipv4_cidr outer, struct ipv4_cidr inner)
{
    return inner.len >= outer.len && (inner.base & ipv4_mask(outer.len)) == outer.base;
}

bool ipv4_cidr_overlap(struct ipv4_cidr a, struct ipv4_cidr b)
{
    int n = a.len < b.len ? a.len : b.len;
    return (a.base & ipv4_mask(n)) == (b.base & ipv4_mask(n));
}

bool ipv4_aws_reserved(struct ipv4_cidr c, uint32_t ip, const char **why)
{
    static const char *const names[] = {"the network address", "reserved for the VPC router",
                                        "reserved for the Amazon DNS server",
                                        "reserved by AWS for future use"};
    if (!ipv4_cidr_has(c, ip))
        return false;
    uint32_t off = ip - c.base, last = ~ipv4_mask(c.len);
    if (off < 4) {
        *why = names[off];
        return true;
    }
    if (off == last) {
        *why = "the broadcast address (the last of the subnet)";
        return true;
    }
    return false;
}

void ipv4_format(uint32_t ip, char *out, size_t n)
{
    snprintf(out, n, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}
