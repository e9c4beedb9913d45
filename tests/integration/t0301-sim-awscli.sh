#!/usr/bin/env bash
# t0301-sim-awscli.sh - the issue #3 acceptance scenario against `drover
# sim` with the real AWS CLI: pyenv `aws` (v1) and /usr/bin/aws (v2) when
# installed. Each CLI gets a freshly reset estate.
. "$(dirname "$0")/lib.sh"

command -v aws >/dev/null || skip_all "aws CLI is not installed"
command -v jq >/dev/null || skip_all "jq is not installed"
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
"$DROVER" sim --listen "127.0.0.1:$PORT" --generate accounts=2,regions=1,servers=110 \
    --time-scale 60 --seed 3 >"$TRASH/sim.log" 2>&1 &
track_pid $!
wait_http "$URL/_sim/health" 20 || { cat "$TRASH/sim.log"; exit 1; }

clis=("$(command -v aws)")
[ -x /usr/bin/aws ] && [ "$(command -v aws)" != /usr/bin/aws ] && clis+=(/usr/bin/aws)

metric() { # metric SERVICE OPERATION -> count summed over accounts and regions
    curl -s "$URL/_sim/metrics" | jq --arg s "$1" --arg o "$2" \
        '[.requests[] | select(.service==$s and .operation==$o) | .count] | add // 0'
}

for CLI in "${clis[@]}"; do
    export CLI URL
    curl -s -XPOST "$URL/_sim/reset" >/dev/null
    curl -s "$URL/_sim/estate" >"$TRASH/estate.json"
    HUB_ENV="AWS_ACCESS_KEY_ID=$(jq -r .hub.access_key_id "$TRASH/estate.json") AWS_SECRET_ACCESS_KEY=$(jq -r .hub.secret_access_key "$TRASH/estate.json")"
    ROLE=$(jq -r '.accounts[0].role_arn' "$TRASH/estate.json")
    EXT=$(jq -r '.accounts[0].external_id' "$TRASH/estate.json")
    SPOKE=$(jq -r '.accounts[0].account_id' "$TRASH/estate.json")
    REGION=$(jq -r '.accounts[0].regions[0]' "$TRASH/estate.json")
    export HUB_ENV ROLE EXT SPOKE REGION
    hub() { env $HUB_ENV AWS_DEFAULT_REGION=us-east-1 "$CLI" --endpoint-url "$URL" "$@"; }
    spoke() {
        env AWS_ACCESS_KEY_ID="$(jq -r .Credentials.AccessKeyId "$TRASH/creds.json")" \
            AWS_SECRET_ACCESS_KEY="$(jq -r .Credentials.SecretAccessKey "$TRASH/creds.json")" \
            AWS_SESSION_TOKEN="$(jq -r .Credentials.SessionToken "$TRASH/creds.json")" \
            AWS_DEFAULT_REGION="$REGION" "$CLI" --endpoint-url "$URL" "$@"
    }
    export -f hub spoke
    export TRASH

    test_expect_success "$CLI: sts get-caller-identity returns the hub account" '
        hub sts get-caller-identity --output json >"$TRASH/id.json" &&
        test "$(jq -r .Account "$TRASH/id.json")" = "$(jq -r .hub.account_id "$TRASH/estate.json")"
    '
    test_expect_success "$CLI: assume-role with a wrong external ID is AccessDenied" '
        test_must_fail hub sts assume-role --role-arn "$ROLE" --role-session-name t1 \
            --external-id wrong-external-id 2>"$TRASH/err" &&
        grep -q "AccessDenied" "$TRASH/err"
    '
    test_expect_success "$CLI: assume-role with the right external ID gives spoke credentials" '
        hub sts assume-role --role-arn "$ROLE" --role-session-name t1 --external-id "$EXT" \
            --output json >"$TRASH/creds.json" &&
        spoke sts get-caller-identity --output json >"$TRASH/id2.json" &&
        test "$(jq -r .Account "$TRASH/id2.json")" = "$SPOKE"
    '
    test_expect_success "$CLI: describe-source-servers returns all 110 servers, 7 per page" '
        before=$(metric drs DescribeSourceServers) &&
        spoke drs describe-source-servers --page-size 7 --output json >"$TRASH/servers.json" &&
        after=$(metric drs DescribeSourceServers) &&
        test "$(jq ".items | length" "$TRASH/servers.json")" = 110 &&
        test "$(jq "[.items[].sourceServerID] | unique | length" "$TRASH/servers.json")" = 110 &&
        test $((after - before)) = 16
    '
    test_expect_success "$CLI: start-recovery --is-drill on 3 servers returns a job" '
        set -- $(jq -r ".items[0:3][].sourceServerID" "$TRASH/servers.json") &&
        spoke drs start-recovery --is-drill --tags Purpose=cli --output json \
            --source-servers sourceServerID=$1 sourceServerID=$2 sourceServerID=$3 >"$TRASH/job.json" &&
        test "$(jq -r .job.status "$TRASH/job.json")" = PENDING &&
        test "$(jq -r .job.initiatedBy "$TRASH/job.json")" = START_DRILL &&
        test "$(jq -r .job.tags.Purpose "$TRASH/job.json")" = cli
    '
    test_expect_success "$CLI: a second job on a launching server is a ConflictException" '
        test_must_fail spoke drs start-recovery \
            --source-servers sourceServerID=$(jq -r ".items[0].sourceServerID" "$TRASH/servers.json") \
            2>"$TRASH/err" &&
        grep -q ConflictException "$TRASH/err"
    '
    test_expect_success "$CLI: start-recovery with 101 servers is refused" '
        args=$(jq -r ".items[3:104][] | \"sourceServerID=\" + .sourceServerID" "$TRASH/servers.json") &&
        test_must_fail spoke drs start-recovery --source-servers $args 2>"$TRASH/err" &&
        grep -q ServiceQuotaExceededException "$TRASH/err"
    '
    test_expect_success "$CLI: describe-jobs shows the job reaching COMPLETED" '
        job=$(jq -r .job.jobID "$TRASH/job.json") &&
        for i in $(seq 1 80); do
            st=$(spoke drs describe-jobs --filters jobIDs=$job --query "items[0].status" --output text)
            [ "$st" = COMPLETED ] && break
            sleep 0.5
        done &&
        test "$st" = COMPLETED
    '
    test_expect_success "$CLI: describe-job-log-items shows the phases" '
        spoke drs describe-job-log-items --job-id $(jq -r .job.jobID "$TRASH/job.json") \
            --query "items[].event" --output text >"$TRASH/events" &&
        for ev in JOB_START SNAPSHOT_START SNAPSHOT_END CONVERSION_START CONVERSION_END LAUNCH_START JOB_END; do
            grep -qw $ev "$TRASH/events" || { echo "missing $ev"; exit 1; }
        done
    '
    test_expect_success "$CLI: 3 drill recovery instances, also in ec2 describe-instances" '
        spoke drs describe-recovery-instances --output json >"$TRASH/ri.json" &&
        test "$(jq "[.items[] | select(.isDrill)] | length" "$TRASH/ri.json")" = 3 &&
        spoke ec2 describe-instances --output json >"$TRASH/ec2.json" &&
        for id in $(jq -r ".items[].ec2InstanceID" "$TRASH/ri.json"); do
            test "$(jq -r --arg id $id "[.Reservations[].Instances[] | select(.InstanceId==\$id) | .State.Name][0]" "$TRASH/ec2.json")" = running ||
                { echo "$id not running in EC2"; exit 1; }
        done
    '
    test_expect_success "$CLI: describe-instance-status shows them passing their status checks" '
        for i in $(seq 1 80); do
            spoke ec2 describe-instance-status --output json \
                --instance-ids $(jq -r ".items[].ec2InstanceID" "$TRASH/ri.json") >"$TRASH/st.json" &&
            n=$(jq "[.InstanceStatuses[] | select(.InstanceStatus.Status==\"ok\" and .SystemStatus.Status==\"ok\")] | length" "$TRASH/st.json") &&
            [ "$n" = 3 ] && break
            sleep 0.25
        done &&
        test "$n" = 3 &&
        test "$(jq "[.InstanceStatuses[] | select(.InstanceState.Name==\"running\" and .InstanceStatus.Details[0].Status==\"passed\")] | length" "$TRASH/st.json")" = 3 &&
        spoke ec2 describe-instance-status --page-size 5 --output json >"$TRASH/st2.json" &&
        test "$(jq ".InstanceStatuses | length" "$TRASH/st2.json")" = 3
    '
    test_expect_success "$CLI: terminate-recovery-instances terminates them" '
        spoke drs terminate-recovery-instances --output json \
            --recovery-instance-ids $(jq -r ".items[].recoveryInstanceID" "$TRASH/ri.json") >"$TRASH/term.json" &&
        test "$(jq -r .job.type "$TRASH/term.json")" = TERMINATE &&
        for i in $(seq 1 80); do
            n=$(spoke drs describe-recovery-instances --query "length(items)" --output text)
            [ "$n" = 0 ] && break
            sleep 0.5
        done &&
        test "$n" = 0 &&
        spoke ec2 describe-instances --filters Name=instance-state-name,Values=terminated \
            --query "length(Reservations)" --output text >"$TRASH/n" &&
        test "$(cat "$TRASH/n")" = 3
    '
    test_expect_success "$CLI: a request signed with a wrong secret is SignatureDoesNotMatch" '
        test_must_fail env AWS_ACCESS_KEY_ID="$(jq -r .hub.access_key_id "$TRASH/estate.json")" \
            AWS_SECRET_ACCESS_KEY=not-the-secret AWS_DEFAULT_REGION=us-east-1 \
            "$CLI" --endpoint-url "$URL" sts get-caller-identity 2>"$TRASH/err" &&
        grep -q SignatureDoesNotMatch "$TRASH/err"
    '
done

test_expect_success "/_sim/state lists the launches and jobs in the documented shape" '
    curl -s "$URL/_sim/state" >"$TRASH/state.json" &&
    jq -e ".launches | length == 3" "$TRASH/state.json" &&
    jq -e ".launches[0] | keys == [\"account_id\",\"is_drill\",\"job_id\",\"recovery_instance_id\",\"region\",\"source_server_id\",\"time\"]" "$TRASH/state.json" &&
    jq -e "[.jobs[] | keys] | unique == [[\"account_id\",\"created_at\",\"ended_at\",\"initiated_by\",\"is_drill\",\"job_id\",\"region\",\"source_server_ids\",\"status\",\"tags\",\"type\"]]" "$TRASH/state.json"
'
test_expect_success "/_sim/metrics rows have the documented shape" '
    curl -s "$URL/_sim/metrics" | jq -e "[.requests[] | keys] | unique == [[\"account_id\",\"count\",\"errors\",\"operation\",\"region\",\"service\",\"throttled\"]]"
'
test_done
