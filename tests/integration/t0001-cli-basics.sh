#!/usr/bin/env bash
# t0001-cli-basics: --help, help CMD, --version, unknown commands and
# options exit 2, unique prefixes work.
. "$(dirname "$0")/lib.sh"

test_expect_success '--help lists commands' '
    "$DROVER" --help >out && grep -q "^  version" out && grep -q "^  help" out
'
test_expect_success '--version prints the version' '
    "$DROVER" --version | grep -Eq "^drover [0-9]+\.[0-9]+\.[0-9]+$"
'
test_expect_success 'help CMD shows its usage' '
    "$DROVER" help version | grep -q "^usage: drover version"
'
test_expect_success 'unknown command exits 2 and names it' '
    EXPECT_RC=2 test_must_fail "$DROVER" frobnicate 2>err && grep -q "frobnicate" err
'
test_expect_success 'unknown option exits 2' '
    EXPECT_RC=2 test_must_fail "$DROVER" version --nope 2>err && grep -q -- "--nope" err
'
test_expect_success 'bad --output exits 2' '
    EXPECT_RC=2 test_must_fail "$DROVER" -o xml version 2>err && grep -q "output" err
'
test_expect_success 'unique prefix runs the command' '
    "$DROVER" vers | grep -q "^drover "
'
test_done
