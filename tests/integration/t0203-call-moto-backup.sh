#!/usr/bin/env bash
# t0203-call-moto-backup: AWS Backup (rest-json) through drover call:
# create and list vaults. moto 5.2 does not implement recovery points, so
# ListRecoveryPointsByBackupVault must surface moto's error cleanly.
. "$(dirname "$0")/lib.sh"
start_moto
moto_env

test_expect_success 'CreateBackupVault then ListBackupVaults shows it' '
    "$DROVER" call backup CreateBackupVault "{\"BackupVaultName\":\"dr-vault-0203\",\"BackupVaultTags\":{\"Env\":\"dr\"}}" >c &&
    test "$(jpath c "d[\"BackupVaultName\"]")" = dr-vault-0203 &&
    "$DROVER" call backup ListBackupVaults --paginate >out &&
    jpath out "[v[\"BackupVaultName\"] for v in d[\"BackupVaultList\"]]" | grep -q dr-vault-0203 &&
    jpath out "[v[\"BackupVaultArn\"] for v in d[\"BackupVaultList\"]][0]" | grep -q ":backup-vault:dr-vault-0203"
'
test_expect_success 'ListRecoveryPointsByBackupVault is sent with the vault in the path' '
    "$DROVER" --debug call backup ListRecoveryPointsByBackupVault "{\"BackupVaultName\":\"dr-vault-0203\"}" >out 2>err
    rc=$?
    if [ $rc -eq 0 ]; then
        jpath out "d.get(\"RecoveryPoints\", [])" >/dev/null
    else
        test $rc -eq 1 && grep -q "ListRecoveryPointsByBackupVault" err
    fi
'
test_done
