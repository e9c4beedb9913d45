/*
 * ec2_common.h - the seams between the simulator's EC2 files (ec2.c,
 * ec2_launch.c): the shared describe (ID list, Filter.N filters), its
 * MaxResults/NextToken pagination and the caller's EC2 state; and the
 * launch-template model that estate_build.c fills from the estate.
 * Internal to src/sim.
 */
#ifndef DROVER_SIM_EC2_COMMON_H
#define DROVER_SIM_EC2_COMMON_H

#include <jansson.h>
#include <stdbool.h>

#include "sim/internal.h"

/* Describe: the objects of src (a list, or a map keyed by ID) named by the
 * id_param list (InstanceId.N, ...) and passing the Filter.N filters, into
 * *out (new array). An explicit ID that does not exist fails with
 * notfound_code. Returns -1 with the call's error set. */
int sim_ec2_describe(struct sim_call *c, json_t *in, json_t *src, const char *id_param,
                     const char *id_field, const char *notfound_code, json_t **out);
/* MaxResults/NextToken over a describe result: keeps one page of res and
 * sets next (an offset, or "" on the last page). max_cap 0: not paginated.
 * MaxResults must be 5..max_cap (sim_ec2_page_range: min_max..max_cap). */
int sim_ec2_page(struct sim_call *c, json_t *in, json_t *res, int max_cap, bool no_ids, char *next,
                 size_t n);
int sim_ec2_page_range(struct sim_call *c, json_t *in, json_t *res, int min_max, int max_cap,
                       bool no_ids, char *next, size_t n);
void sim_ec2_set_next(json_t *out, const char *next);
/* The caller's account-region EC2 state (borrowed; NULL on OOM). */
json_t *sim_ec2_of(struct sim_call *c);

/* ec2_launch.c: the EC2 launch templates behind the DRS launch
 * configurations are built on the first launch-template call of an
 * account-region from its servers (and the estate's `launch:` settings
 * kept in drs.meta[id].launch). Estate-declared network interfaces (vpcs[].network_interfaces) of
 * an account. */
void sim_ec2_enis_build(struct sim_world *w, const char *acct, const json_t *estate_account);

/* The EC2 launch template ID of a source server's launch configuration. */
void sim_launch_template_id(const char *server_id, char *out, size_t n);

extern const struct sim_op sim_ec2_launch_ops[];

#endif
