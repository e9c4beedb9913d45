/*
 * protocol.h - the four AWS wire protocols behind one request model:
 * a JSON object in (model member names, as the aws CLI shows them) and a
 * JSON object out.
 *
 *   rest-json (DRS, Backup): path/query/header bindings, JSON body
 *   json 1.1 (KMS, Organizations, Service Quotas): X-Amz-Target
 *   query (STS, IAM, CloudFormation): member.N flattening, XML results
 *   ec2: .N flattening, <item> lists, XML results
 *
 * Responses are converted to model member names (EC2 "Vpcs", not
 * vpcSet/item), URL-encoded IAM policy documents are decoded, timestamps
 * become ISO 8601 strings, blobs stay base64.
 *
 * Pure functions: no I/O, fuzzable. Depends on aws/model.h, aws/http.h,
 * core/, jansson, expat.
 */
#ifndef DROVER_AWS_PROTOCOL_H
#define DROVER_AWS_PROTOCOL_H

#include <jansson.h>

#include "aws/http.h"
#include "aws/model.h"
#include "core/err.h"

/*
 * Builds the request for op with input (borrowed; NULL means {}). req must
 * already be initialized with method "POST", scheme, host and the
 * endpoint's base path ("/" normally); this sets the method, path, query,
 * Content-Type, X-Amz-Target and body. Input validation errors (a missing
 * required member, a wrong type) are -DR_EINVAL with a message naming the
 * member, e.g. "DescribeSourceServers: filters.sourceServerIDs: expected a list".
 */
int aws_proto_build(const struct aws_service_model *svc, const struct aws_op_model *op,
                    const json_t *input, struct http_request *req, struct dr_err *err);

/*
 * Parses a response. For 2xx: *out is a new JSON object (possibly {}).
 * For errors: returns -DR_EAWS with err->code, err->msg, err->http_status
 * and err->request_id filled from the protocol's error format (the code
 * without any "prefix#" or ":suffix" decoration). Malformed bodies are
 * -DR_EPARSE with a message; never a crash.
 */
int aws_proto_parse(const struct aws_service_model *svc, const struct aws_op_model *op,
                    const struct http_response *resp, json_t **out, struct dr_err *err);

/*
 * Generic XML to JSON conversion used by the query and ec2 parsers:
 * elements become objects, repeated children arrays, text leaves strings.
 * Exposed for fuzzing and tests. Rejects documents over max_depth deep.
 */
int aws_xml_to_json(const char *xml, size_t len, json_t **out, struct dr_err *err);

#endif
