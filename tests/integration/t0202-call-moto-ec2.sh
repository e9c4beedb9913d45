#!/usr/bin/env bash
# t0202-call-moto-ec2: EC2 describes through drover call: subnets and
# security groups the test created, instances with a tag filter, and
# pagination over several pages.
. "$(dirname "$0")/lib.sh"
start_moto
moto_env

test_expect_success 'create a VPC, subnet and security group, then describe them' '
    "$DROVER" call ec2 CreateVpc "{\"CidrBlock\":\"10.20.0.0/16\"}" >vpc &&
    VPC=$(jpath vpc "d[\"Vpc\"][\"VpcId\"]") && echo "$VPC" >vpc.id &&
    "$DROVER" call ec2 CreateSubnet "{\"VpcId\":\"$VPC\",\"CidrBlock\":\"10.20.1.0/24\"}" >sub &&
    SUB=$(jpath sub "d[\"Subnet\"][\"SubnetId\"]") && echo "$SUB" >sub.id &&
    "$DROVER" call ec2 DescribeSubnets "{\"Filters\":[{\"Name\":\"vpc-id\",\"Values\":[\"$VPC\"]}]}" >out &&
    test "$(jpath out "len(d[\"Subnets\"])")" = 1 &&
    test "$(jpath out "d[\"Subnets\"][0][\"CidrBlock\"]")" = 10.20.1.0/24 &&
    test "$(jpath out "d[\"Subnets\"][0][\"AvailableIpAddressCount\"]")" -gt 200 &&
    "$DROVER" call ec2 CreateSecurityGroup "{\"GroupName\":\"drs-repl\",\"Description\":\"replication\",\"VpcId\":\"$VPC\"}" >sg &&
    SG=$(jpath sg "d[\"GroupId\"]") &&
    "$DROVER" call ec2 DescribeSecurityGroups "{\"GroupIds\":[\"$SG\"]}" >out &&
    test "$(jpath out "d[\"SecurityGroups\"][0][\"GroupName\"]")" = drs-repl &&
    test "$(jpath out "d[\"SecurityGroups\"][0][\"VpcId\"]")" = "$VPC"
'
test_expect_success 'run tagged instances and filter them by tag' '
    "$DROVER" call ec2 DescribeImages "{}" >imgs &&
    AMI=$(jpath imgs "d[\"Images\"][0][\"ImageId\"]") &&
    "$DROVER" call ec2 RunInstances "{\"ImageId\":\"$AMI\",\"MinCount\":5,\"MaxCount\":5,\"InstanceType\":\"t3.micro\",\"SubnetId\":\"$(cat sub.id)\",\"TagSpecifications\":[{\"ResourceType\":\"instance\",\"Tags\":[{\"Key\":\"App\",\"Value\":\"shop-0202\"}]}]}" >run &&
    test "$(jpath run "len(d[\"Instances\"])")" = 5 &&
    "$DROVER" call ec2 RunInstances "{\"ImageId\":\"$AMI\",\"MinCount\":2,\"MaxCount\":2,\"InstanceType\":\"t3.micro\"}" >run2 &&
    "$DROVER" call ec2 DescribeInstances "{\"Filters\":[{\"Name\":\"tag:App\",\"Values\":[\"shop-0202\"]}]}" >out &&
    test "$(jpath out "sum(len(r[\"Instances\"]) for r in d[\"Reservations\"])")" = 5 &&
    test "$(jpath out "d[\"Reservations\"][0][\"Instances\"][0][\"Tags\"][0][\"Value\"]")" = shop-0202 &&
    test "$(jpath out "d[\"Reservations\"][0][\"Instances\"][0][\"SubnetId\"]")" = "$(cat sub.id)"
'
test_expect_success 'pagination over at least 2 pages returns every instance once' '
    for i in 1 2 3; do
        "$DROVER" call ec2 RunInstances "{\"ImageId\":\"$(jpath imgs "d[\"Images\"][0][\"ImageId\"]")\",\"MinCount\":1,\"MaxCount\":1}" >/dev/null || return 1
    done &&
    "$DROVER" --debug call ec2 DescribeInstances "{}" --page-size 2 >out 2>log &&
    test "$(jpath out "sum(len(r[\"Instances\"]) for r in d[\"Reservations\"])")" = 10 &&
    test "$(jpath out "len(set(i[\"InstanceId\"] for r in d[\"Reservations\"] for i in r[\"Instances\"]))")" = 10 &&
    test "$(grep -c "DescribeInstances.*HTTP 200" log)" -ge 2 &&
    test "$(jpath out "\"NextToken\" in d")" = False
'
test_done
